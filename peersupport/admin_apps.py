from django.contrib.admin.apps import AdminConfig


class WallAdminConfig(AdminConfig):
    """Django's admin, on a site that puts every registered admin behind the confidentiality
    wall (peersupport.admin_wall)."""

    default_site = "peersupport.admin_wall.WallAdminSite"
