#!/bin/sh
# Refresh the committed NHS.UK frontend build in static/nhsuk/ from the npm package.
#
#   static/refresh-nhsuk.sh VERSION [TARBALL]
#
# VERSION is an nhsuk-frontend release (for example 10.6.1). Without TARBALL the package is
# fetched with `npm pack nhsuk-frontend@VERSION` into a temporary directory; with TARBALL
# (an nhsuk-frontend-VERSION.tgz already on disk) no network is needed.
#
# What is copied, and the three edits made on the way (see static/README.md and
# docs/adr/0001-nhsuk-frontend-and-crispy-template-pack.md):
#   dist/nhsuk/nhsuk-frontend.min.css  -> static/nhsuk/nhsuk-frontend.min.css
#       - the sourceMappingURL comment is removed (no source maps are committed, and
#         Django's manifest storage would fail on a reference to a missing .map file);
#       - url(/assets/...) becomes url(assets/...) so images resolve under /static/nhsuk/;
#       - the @font-face rules are removed: Frutiger is served from assets.nhs.uk, which the
#         Content-Security-Policy (font-src 'self') does not allow; text falls back to Arial.
#   dist/nhsuk/nhsuk-frontend.min.js   -> static/nhsuk/nhsuk-frontend.min.js (sourceMappingURL removed)
#   dist/nhsuk/assets/images/*, dist/nhsuk/assets/manifest.json -> static/nhsuk/assets/
# and the version is written to static/nhsuk/VERSION.
set -eu

usage() {
    echo "usage: $0 VERSION [TARBALL]" >&2
    exit 2
}

[ $# -ge 1 ] && [ $# -le 2 ] || usage
VERSION=$1
case $VERSION in
    '' | *[!0-9A-Za-z.+-]*) echo "refresh-nhsuk: not a version: $VERSION" >&2; exit 2 ;;
esac

HERE=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
DEST=$HERE/nhsuk
WORK=$(mktemp -d)
trap 'rm -rf "$WORK" "$DEST.new"' EXIT
trap 'exit 1' HUP INT TERM

if [ $# -eq 2 ]; then
    TARBALL=$2
else
    command -v npm >/dev/null 2>&1 || { echo "refresh-nhsuk: npm is needed to fetch the package" >&2; exit 1; }
    (cd "$WORK" && npm pack --silent "nhsuk-frontend@$VERSION" >/dev/null)
    TARBALL=$WORK/nhsuk-frontend-$VERSION.tgz
fi
[ -f "$TARBALL" ] || { echo "refresh-nhsuk: no package file at $TARBALL" >&2; exit 1; }

tar -xzf "$TARBALL" -C "$WORK"
SRC=$WORK/package/dist/nhsuk
if ! grep -q "\"version\": \"$VERSION\"" "$WORK/package/package.json"; then
    echo "refresh-nhsuk: $TARBALL is not nhsuk-frontend $VERSION" >&2
    exit 1
fi
for f in nhsuk-frontend.min.css nhsuk-frontend.min.js assets/manifest.json; do
    [ -f "$SRC/$f" ] || { echo "refresh-nhsuk: $f missing from the package (layout changed?)" >&2; exit 1; }
done

rm -rf "$DEST.new"
mkdir -p "$DEST.new/assets/images"
sed -e 's|/\*# sourceMappingURL=[^*]*\*/||g' \
    -e 's|url(/assets/|url(assets/|g' \
    -e 's|@font-face{[^}]*}||g' \
    "$SRC/nhsuk-frontend.min.css" >"$DEST.new/nhsuk-frontend.min.css"
sed -e 's|//# sourceMappingURL=.*$||' \
    "$SRC/nhsuk-frontend.min.js" >"$DEST.new/nhsuk-frontend.min.js"
cp "$SRC"/assets/images/* "$DEST.new/assets/images/"
cp "$SRC/assets/manifest.json" "$DEST.new/assets/manifest.json"
printf '%s\n' "$VERSION" >"$DEST.new/VERSION"

if grep -q 'sourceMappingURL' "$DEST.new/nhsuk-frontend.min.css" "$DEST.new/nhsuk-frontend.min.js" ||
    grep -q 'url(/assets/' "$DEST.new/nhsuk-frontend.min.css"; then
    echo "refresh-nhsuk: the CSS/JS edits did not apply; check the package's build output" >&2
    exit 1
fi
grep -q 'export{' "$DEST.new/nhsuk-frontend.min.js" ||
    echo "refresh-nhsuk: warning: nhsuk-frontend.min.js does not look like an ES module" >&2

rm -rf "$DEST"
mv "$DEST.new" "$DEST"
echo "static/nhsuk/ now holds nhsuk-frontend $VERSION"
