"""Demo data and benchmark helpers: loaded by `seed_demo` and the bench commands only.

Nothing in the running service imports this package. Every name is made up; phone numbers come
from Ofcom's ranges reserved for drama and email addresses use example.com/example.org.

- `accounts`: a demo login for every role.
- `incidents_data`, `incidents`: the two demo organisations and about 27 realistic reviews, the
  people affected and two self-referrals, made through the incidents services.
- `incidents_scale`: bulk reviews, people and milestones for a `--scale` run.
- `supporters_data`, `supporters`: supervisors, thirteen realistic peer supporters and the
  demo people's support stories, made through the supporters services.
- `supporters_scale`, `offers_scale`: bulk supporters and offers for a `--scale` run.
- `history_plan`, `history`, `history_supporters`: 18 months of history (people logged every
  month, their consent, offers, support and contacts; supporters' check-ins, supervision and
  a spell off sick), so every chart on the measures dashboard has points.
- `practice`: contacts, concerns, check-ins and a group debrief, realistic and bulk.
- `surveys`: 18 months of survey invitations and responses, realistic and bulk.
- `common`: small helpers the seeders share (times of day, weighted choice, raw bulk inserts).
- `bench`: helpers the bench commands share.
"""
