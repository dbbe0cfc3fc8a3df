"""Who may reach what: one declaration per endpoint of the URL map (pages and API alike).

The permission walk (test_permission_walk.py) requests every rule of the URL map, for every
method, as every role of tests/security/org.py, and fails on an endpoint declared nowhere here.
To declare a new endpoint, add `"blueprint.view": Access(...)` to ACCESS:

- `allowed`: the roles that may use it (ANYONE, SIGNED_IN, ADMIN, REVIEWERS, or a set of
  role names from org.ROLES). Everyone else is refused: signed out -> the sign-in page (or 401 in
  the API), others -> 403 or 404.
- `secret=True` when the URL's ids point into the secret space (the default for space_id,
  thread_id, post_id and flag_id): people who cannot read that space must get 404, never 403.
- `query`: a query string to add (e.g. the search API's `q`); `answers`: 4xx statuses allowed
  roles may get (an unknown invitation token is 410 for everyone).
- `refused_with`: the status that refuses everyone who may not use it, when that is not 403/404
  (the signed conversions endpoint takes no token: an unsigned call is 401 whoever sends it).
- `ids`: which seeded row fills a URL variable when the default (org.Org.ids[variable]) is not
  the interesting one, e.g. `{"content_id": "live_content_id"}`.

Requests by allowed roles are made for GET only (they must answer < 400 without a sign-in
redirect); refused requests are made for every method, and the walk checks that refused writes
left the database unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tests.security.org import ROLES
from tests.security.org import SIGNED_IN as _SIGNED_IN

ANYONE = frozenset(ROLES)
SIGNED_IN = _SIGNED_IN
ADMIN = frozenset({"admin"})
REVIEWERS = frozenset({"curator", "admin"})
SECRET_READERS = frozenset({"owner", "insider", "admin"})  # the secret space's members + admins
SECRET_MODERATORS = frozenset({"owner", "admin"})  # its owner + admins
OWNER = frozenset({"owner"})


@dataclass(frozen=True)
class Access:
    """The expectation for one endpoint; see the module's docstring."""

    allowed: frozenset[str]
    secret: bool = False
    ids: dict[str, str] = field(default_factory=dict)
    query: str = ""  # a query string the allowed GET needs
    answers: frozenset[int] = frozenset()  # 4xx answers allowed roles may get (a dead token)
    refused_with: frozenset[int] = frozenset({403, 404})


PUBLIC = Access(ANYONE)
MEMBERS = Access(SIGNED_IN)

ACCESS: dict[str, Access] = {}

SECRET_READ = Access(SECRET_READERS, secret=True)
SECRET_MODERATE = Access(SECRET_MODERATORS, secret=True)
LIVE = {"content_id": "live_content_id"}
DRAFT_READERS = frozenset({"owner", "curator", "admin"})  # the owner's draft: author + reviewers
TEAM_READERS = frozenset({"leader", "curator", "admin"})  # team figures: leaders (own teams)
NOBODY = frozenset()

ACCESS.update(
    {
        # Public: signing in, recovering an account, static files, tracked links, the API document
        "static": PUBLIC,
        "accounts.login": PUBLIC,
        "accounts.forgot_password": PUBLIC,
        "accounts.reset_password": Access(ANYONE, ids={"token": "reset_token"}),
        "accounts.accept_invitation": Access(ANYONE, answers=frozenset({410})),
        "feeds_links.follow": Access(ANYONE, answers=frozenset({404})),
        "api-docs.openapi_json": PUBLIC,
        # Everyone signed in: their own home, settings, notifications, directory, feed
        "accounts.logout": MEMBERS,
        "media.image": Access(SIGNED_IN, answers=frozenset({404})),  # a key nobody has
        "home.index": MEMBERS,
        "settings.index": MEMBERS,
        "settings.password": MEMBERS,
        "settings.profile": MEMBERS,
        "settings.picture": MEMBERS,
        "settings.remove_picture": MEMBERS,
        "settings.set_appearance": MEMBERS,
        "settings.create_token": MEMBERS,
        "settings.revoke_token": Access(OWNER),
        "settings.end_session": Access(OWNER),
        "settings.end_other_sessions": MEMBERS,
        "notifications.index": MEMBERS,
        "notifications.bell": MEMBERS,
        "notifications.mark_read": MEMBERS,
        "notifications.preferences": MEMBERS,
        "notifications.save_preferences": MEMBERS,
        "people.profile": MEMBERS,
        "teams.index": MEMBERS,
        "teams.team": MEMBERS,
        "search.index": MEMBERS,
        "search.person": MEMBERS,
        "background.job_status": Access(frozenset({"owner", "admin"})),
        # Administration
        "admin.users": Access(ADMIN),
        "admin.user": Access(ADMIN),
        "admin.deactivate": Access(ADMIN),
        "admin.reactivate": Access(ADMIN),
        "admin.change_role": Access(ADMIN),
        "admin.import_users": Access(ADMIN),
        "admin.invite": Access(ADMIN),
        "admin.organisation": Access(ADMIN),
        "teams.create": Access(ADMIN),
        "teams.add_member": Access(frozenset({"leader", "admin"})),
        "teams.toggle_leader": Access(frozenset({"leader", "admin"})),
        "teams.remove_member": Access(frozenset({"leader", "admin"})),
        "search_admin.status": Access(ADMIN),
        "search_admin.analytics_page": Access(ADMIN),
        "search_admin.reindex": Access(ADMIN),
        "feeds_admin.compliance_settings": Access(ADMIN),
        "feeds_admin.disclosure": Access(ADMIN),
        "feeds_admin.publish_policy": Access(ADMIN),
        "feeds_admin.add_terms": Access(ADMIN),
        "feeds_admin.remove_term": Access(ADMIN),
        "feeds_admin.sources_index": Access(ADMIN),
        "feeds_admin.add_source": Access(ADMIN),
        "feeds_admin.fetch_source": Access(ADMIN),
        "feeds_admin.pause_source": Access(ADMIN),
        # The feed: content ids default to the owner's draft
        "feeds.mine": MEMBERS,
        "feeds.new_content": MEMBERS,
        "feeds.policy": MEMBERS,
        "feeds.content_page": Access(DRAFT_READERS),
        "feeds.edit_content": Access(DRAFT_READERS),
        "feeds.act": Access(DRAFT_READERS),
        "feeds.share": Access(SIGNED_IN, ids=LIVE),
        # the walk posts no caption choice: the share itself may be refused (policy, network)
        "feeds.share_now": Access(SIGNED_IN, ids=LIVE, answers=frozenset({409, 422})),
        "feeds.share_link_opened": Access(SIGNED_IN, ids=LIVE),
        "feeds.share_panel": Access(SIGNED_IN, ids=LIVE),
        "feeds.card": Access(SIGNED_IN, ids=LIVE),
        "feeds_queue.index": Access(frozenset({"leader", "curator", "admin"})),
        "feeds_queue.bulk": Access(frozenset({"leader", "curator", "admin"})),
        "feeds_topics.index": MEMBERS,
        "shell.favicon": PUBLIC,
        # The shell: the Admin page lists what each person may manage (nothing: 404)
        "manage.index": Access(frozenset({"admin"}), refused_with=frozenset({404})),
        "manage.styleguide": Access(frozenset({"admin"}), refused_with=frozenset({404})),
        "feeds_topics.follow": MEMBERS,
        "feeds_topics.unfollow": MEMBERS,
        # Discussions: ids default to the secret space, its question thread and a reply by the
        # insider (so the insider is the post's author, the owner its space's owner)
        "spaces.index": MEMBERS,
        "spaces.unanswered": MEMBERS,
        "spaces.create": MEMBERS,
        "spaces.view": SECRET_READ,
        "spaces.members": SECRET_READ,
        "spaces.new_thread": SECRET_READ,
        "spaces.start_thread": SECRET_READ,
        "spaces.space_unanswered": SECRET_READ,
        "spaces.follow": SECRET_READ,
        "spaces.leave": SECRET_READ,
        "spaces.join": SECRET_READ,
        "spaces.request_to_join": SECRET_READ,
        "spaces.edit": SECRET_MODERATE,
        "spaces.add_member": SECRET_MODERATE,
        "spaces.remove_member": SECRET_MODERATE,
        "spaces.approve_request": SECRET_MODERATE,
        "spaces.decline_request": SECRET_MODERATE,
        "threads.view": SECRET_READ,
        "threads.follow": SECRET_READ,
        "threads.post_reply": SECRET_READ,
        "threads.acknowledge": Access(
            SECRET_READERS, secret=True, ids={"thread_id": "announcement_id"}
        ),
        "threads.acknowledgements": Access(
            SECRET_MODERATORS, secret=True, ids={"thread_id": "announcement_id"}
        ),
        "threads.accept": SECRET_MODERATE,
        # any reader may hand a question on to a colleague (discussions/qa.py)
        "threads.assign": SECRET_READ,
        "threads.assign_form": SECRET_READ,
        "threads.close": SECRET_MODERATE,
        "threads.pin": SECRET_MODERATE,
        "threads.delete": SECRET_MODERATE,
        "threads.restore": SECRET_MODERATE,
        "posts.permalink": SECRET_READ,
        "posts.history": SECRET_READ,
        "posts.react": SECRET_READ,
        "posts.flag_form": SECRET_READ,
        "posts.flag": SECRET_READ,
        "posts.edit_form": SECRET_READ,  # its author (insider) and the space's moderators
        "posts.edit": SECRET_READ,
        "posts.delete": SECRET_READ,
        "posts.restore": SECRET_MODERATE,
        "bridge.propose_form": SECRET_READ,
        "bridge.propose": SECRET_READ,
        "bridge.discuss": Access(SIGNED_IN, ids=LIVE),
        "moderation.queue": Access(frozenset({"owner", "leader", "admin"})),  # moderators
        "moderation.resolve": SECRET_MODERATE,
        # The API (bearer tokens)
        "accounts_api.me": MEMBERS,
        "accounts_api.list_users": MEMBERS,
        "accounts_api.list_teams": MEMBERS,
        "accounts_api.create_team": Access(ADMIN),
        "accounts_api.add_team_member": Access(frozenset({"leader", "admin"})),
        "feeds_api.list_content": MEMBERS,
        "feeds_api.create_content": MEMBERS,
        "feeds_api.get_content": Access(DRAFT_READERS),
        "feeds_api.update_content": Access(DRAFT_READERS),
        "feeds_api.submit_content": Access(DRAFT_READERS),
        "feeds_api.approve_content": Access(REVIEWERS),
        "feeds_api.reject_content": Access(REVIEWERS),
        "feeds_api.archive_content": Access(DRAFT_READERS),
        "feeds_api.share_content": Access(SIGNED_IN, ids=LIVE),
        "feeds_api.get_feed": MEMBERS,
        "feeds_api.list_sources": Access(ADMIN),
        "feeds_api.add_source": Access(ADMIN),
        "feeds_api.get_policy": MEMBERS,
        "feeds_api.publish_policy": Access(ADMIN),
        "feeds_api.acknowledge_policy": MEMBERS,
        "search_api.search": Access(SIGNED_IN, query="q=plans"),
        "notifications_api.list_notifications": MEMBERS,
        "notifications_api.mark_notifications_read": MEMBERS,
        "discussions_api.list_spaces": MEMBERS,
        "discussions_api.create_space": MEMBERS,
        "discussions_api.add_space_member": SECRET_MODERATE,
        "discussions_api.list_threads": SECRET_READ,
        "discussions_api.start_thread": SECRET_READ,
        "discussions_api.get_thread": SECRET_READ,
        "discussions_api.update_thread": SECRET_MODERATE,
        "discussions_api.delete_thread": SECRET_MODERATE,
        "discussions_api.accept": SECRET_MODERATE,
        "discussions_api.assign": SECRET_READ,
        "discussions_api.reply": SECRET_READ,
        "discussions_api.edit_post": SECRET_READ,
        "discussions_api.delete_post": SECRET_READ,
        "discussions_api.react": SECRET_READ,
    }
)

ACCESS.update(
    {
        # Privacy: my own data and erasure; admins erase leavers (user_id is the owner)
        "privacy.index": MEMBERS,
        "privacy.export": MEMBERS,
        "privacy.erase": MEMBERS,
        "privacy.erasures": Access(ADMIN),
        "privacy.erase_user": Access(ADMIN),
        "admin.users_csv": Access(ADMIN),
        # Analytics: ROI and its settings for admins; content supply for curators and admins
        # The dashboard and recruiting reports: admins and curators see everything, team leaders
        # their teams (the services scope every figure); members are refused
        "dashboard.overview": Access(TEAM_READERS),
        "dashboard.table_csv": Access(TEAM_READERS, ids={"table": "team"}),
        "dashboard.drill": Access(TEAM_READERS, query="within=network:linkedin"),
        "dashboard.maturity_stage": Access(TEAM_READERS),
        "analytics_api.summary": Access(TEAM_READERS),
        "analytics_api.breakdown": Access(TEAM_READERS, query="by=team"),
        "recruiting.index": Access(TEAM_READERS),
        "recruiting.funnel_csv": Access(TEAM_READERS, ids={"by": "opening"}),
        # Referrals: everyone sees their own (leaders their teams', reviewers all); stage reports
        # are signed like conversions, so an unsigned call is 401 whoever sends it
        "recruiting_api.list_referrals": MEMBERS,
        "recruiting_api.referral_funnel": MEMBERS,
        "recruiting_api.report_stage": Access(NOBODY, refused_with=frozenset({401})),
        "analytics.roi_calculator": Access(ADMIN),
        "analytics.supply_page": Access(REVIEWERS),
        "analytics.supply_csv": Access(REVIEWERS),
        "analytics.supply_settings": Access(ADMIN),
        # Leaderboard and points: everyone sees the board (the owner is hidden on it) and their
        # own points; only admins change the rules or anyone's points
        "leaderboard.index": MEMBERS,
        "leaderboard.my_points": MEMBERS,
        "leaderboard.set_visibility": MEMBERS,
        "points_admin.settings": Access(ADMIN),
        "points_admin.save_rules": Access(ADMIN),
        "points_admin.save_privacy": Access(ADMIN),
        "points_admin.adjust": Access(ADMIN),
        "points_api.get_leaderboard": MEMBERS,
        "points_api.get_rules": MEMBERS,
        "points_api.put_rules": Access(ADMIN),
        "points_api.post_adjustment": Access(ADMIN),
        # Reach: my own for everyone; by team for leaders (their teams), curators and admins; a
        # content item's (the live one the owner's link clicked on) for curators and admins
        "reach.mine": MEMBERS,
        "reach.followers": MEMBERS,
        "reach.content": Access(REVIEWERS, ids=LIVE),
        "reach_admin.settings": Access(ADMIN),
        "reach_admin.rotate_secret": Access(ADMIN),
        "reach_api.my_reach": MEMBERS,
        "reach_api.reach_by": Access(TEAM_READERS, query="group_by=team"),
        "reach_api.record_conversion": Access(NOBODY, refused_with=frozenset({401})),
        # Tracked links: public; an unknown code is 404 (known codes never reach Flask)
        "tracking.follow": Access(ANYONE, answers=frozenset({404})),
        # Webhooks: admins only, pages and API (subscription_id is a seeded subscription)
        "webhooks_admin.index": Access(ADMIN),
        "webhooks_admin.create": Access(ADMIN),
        "webhooks_admin.show": Access(ADMIN),
        "webhooks_admin.deliveries_csv": Access(ADMIN),
        "webhooks_admin.send_test": Access(ADMIN),
        "webhooks_admin.set_active": Access(ADMIN),
        "webhooks_admin.replace_secret": Access(ADMIN),
        "webhooks_admin.delete": Access(ADMIN),
        "webhooks_api.list_webhooks": Access(ADMIN),
        "webhooks_api.create_webhook": Access(ADMIN),
        "webhooks_api.get_webhook": Access(ADMIN),
        "webhooks_api.list_deliveries": Access(ADMIN),
        "webhooks_api.replace_webhook_secret": Access(ADMIN),
        "webhooks_api.test_webhook": Access(ADMIN),
        "webhooks_api.delete_webhook": Access(ADMIN),
    }
)
