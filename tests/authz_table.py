"""Who gets what, for every URL of the project (read by tests/test_authz_matrix.py).

One entry per URL, keyed by its name ("namespace:name"), or by its route when
it has no name. Shell-style patterns ("admin:*") cover families of URLs
answered by one rule. A URL with no entry fails the matrix test: adding a view
means adding its row here.

A row says, for each principal, the expected answer:
  200 / 302 / 404 / 405 ...  that status code
  LOGIN                      a redirect to the sign-in page
  a set                      any of these (only where the answer honestly varies)
`row(default, **per_principal)` gives `default` to every principal not named.
`method="post"` sends a POST (every request is rolled back afterwards), empty
unless `data` gives fields: each value is a template filled from the world
("{waiting_mentee}").
`kwargs` maps a URL kwarg to a key of the world built by the test (`world` in
tests/test_authz_matrix.py); kwargs not given are taken from KWARG_DEFAULTS.
An entry may be a list of rows: the same URL checked on several objects (this
match and the other one, each report...).
Every entry is checked: there is no way to set a URL aside.

Principals (the test's world):
  anonymous            not signed in
  mentee               the mentee of THE match (group A)
  mentor               the mentor of THE match (group A)
  other_mentor         a mentor of another match (group B)
  mea                  the MEA of THE match (group A)
  other_mea            an MEA of another group (B)
  named_mea            an MEA of group A named in a report about THE match (they
                       supported it when the report was made; it was then given to `mea`)
  coordinator          coordinator of group A
  other_coordinator    coordinator of group B
  staff                program staff

The world (objects rows point at): THE match (group A, supported by `mea`), its
accepted proposal, a self check-in asked of its mentor, three reports on it
(tier 1 held by the MEA; monitor, with staff and the MEA; about the MEA, staff
only), their debriefs; a mentee of group A still waiting, who applied to mentor;
the other match (group B: other_mentor, other_mea).
"""

LOGIN = "login"

PRINCIPALS = [
    "anonymous", "mentee", "mentor", "other_mentor", "mea", "other_mea", "named_mea",
    "coordinator", "other_coordinator", "staff",
]
GROUP_A = {"mentee", "mentor", "mea", "named_mea", "coordinator"}

# Values for URL kwargs the row does not name: harmless ids that exist for nobody.
KWARG_DEFAULTS = {"pk": 999999, "object_id": "999999", "key": "not-a-key", "uidb36": "0", "url": "no-such-page/",
                  "action": "acknowledge", "app_label": "profiles", "content_type_id": 1, "id": "999999",
                  "metric": "active-matches",
                  "mentor_id": 999999, "mentee_id": 999999, "token": "not-a-token",
                  "group_id": 999999, "user_id": 999999}


def row(default, *, method="get", kwargs=None, path=None, data=None, **expect):
    unknown = set(expect) - set(PRINCIPALS)
    assert not unknown, f"unknown principals {unknown}"
    return {"method": method, "kwargs": kwargs or {}, "path": path, "data": data,
            "expect": {p: expect.get(p, default) for p in PRINCIPALS}}


def only(principals, ok=200, *, others=404, **kw):
    """`ok` for the named principals, LOGIN for anonymous, `others` for everyone else."""
    return row(others, anonymous=LOGIN, **{p: ok for p in principals}, **kw)


MENTORS = ["mentor", "other_mentor"]
MEAS = ["mea", "other_mea", "named_mea"]
COORDINATORS = ["coordinator", "other_coordinator"]
MATCH = ["mentee", "mentor", "mea", "coordinator", "staff"]  # who sees THE match
OTHER_MATCH = ["other_mentor", "other_mea", "other_coordinator", "staff"]
PROPOSAL = ["mentee", "mentor", "coordinator", "staff"]  # its two people, the group's coordinators, staff

SIGNED_IN = row(200, anonymous=LOGIN)
PUBLIC = row(200)
ANON_ONLY = row(302, anonymous=200)  # sign-in pages: a signed-in person is sent on

TABLE = {
    # --- Project -------------------------------------------------------------------
    "home": row(302, anonymous=200),  # signed in: sent to their role's home
    "emergency": PUBLIC,
    "healthz": row({200, 503}),  # 503 until beat has run; never a login or a 404

    # --- allauth (sign-in, sign-up, passwords, MFA) --------------------------------
    "account_login": ANON_ONLY,
    "account_signup": ANON_ONLY,
    "account_logout": row(200, anonymous=LOGIN),  # GET asks to confirm; signing out is a POST
    "account_inactive": PUBLIC,
    "account_reauthenticate": SIGNED_IN,
    "account_email": SIGNED_IN,
    "account_email_verification_sent": PUBLIC,
    "account_change_password": SIGNED_IN,
    "account_set_password": row(302, anonymous=LOGIN),  # has a password already: sent to change it
    "account_reset_password": PUBLIC,
    "account_reset_password_done": PUBLIC,
    "account_reset_password_from_key": PUBLIC,  # a bad key shows "link invalid"
    "account_reset_password_from_key_done": PUBLIC,
    "account_confirm_login_code": row(302, anonymous=LOGIN),  # no pending code: sent away
    "account_confirm_email": PUBLIC,  # a bad key shows "link invalid"
    "mfa_index": SIGNED_IN,
    "mfa_authenticate": row(302, anonymous=LOGIN),  # no pending sign-in: sent away
    "mfa_reauthenticate": row(302, anonymous=LOGIN),  # no authenticator to re-check
    "mfa_activate_totp": row(302, anonymous=LOGIN),  # asks to re-enter the password first
    "mfa_deactivate_totp": row(404, anonymous=LOGIN),  # nothing to deactivate
    "mfa_view_recovery_codes": row(404, anonymous=LOGIN),
    "mfa_generate_recovery_codes": row(302, anonymous=LOGIN),
    "mfa_download_recovery_codes": row(404, anonymous=LOGIN),

    # --- profiles ------------------------------------------------------------------
    "profiles:me": SIGNED_IN,
    "profiles:edit": SIGNED_IN,
    # The layout's offer of the browser's zone: each signed-in person changes only their own profile.
    "profiles:time_zone": row(302, anonymous=LOGIN, method="post", data={"time_zone": "Europe/London"}),
    "profiles:detail": row(404, anonymous=LOGIN, kwargs={"pk": "mentee_profile"},
                           staff=200, **{p: 200 for p in GROUP_A}),
    "notifications:list": SIGNED_IN,
    "notifications:open": only(["mentee"], 302, method="post", kwargs={"pk": "mentee_notification"}),
    "notifications:read_all": row(302, anonymous=LOGIN, method="post"),
    "privacy:home": SIGNED_IN,
    "privacy:export": SIGNED_IN,
    "privacy:erasure_request": row(302, anonymous=LOGIN, method="post"),  # unconfirmed: message, nothing saved
    "privacy:erasure_withdraw": only(["mentee"], 302, method="post", kwargs={"pk": "mentee_erasure"}),
    "privacy:erasure_requests": only(["coordinator", "other_coordinator", "staff"]),
    "privacy:erasure_complete": only(["coordinator", "staff"], 302, method="post", kwargs={"pk": "mentee_erasure"}),

    # --- joining: invitations, requests to join, orientation (profiles.joining_urls) --------
    "people:invitations": only(COORDINATORS + ["staff"]),
    "people:invitation_change": row(404, anonymous=LOGIN, method="post"),  # none of these ids is anyone's
    "people:invitation_open": PUBLIC,  # a bad token shows "this link cannot be used"
    "people:invitation_accept": SIGNED_IN,  # no link followed: "this link cannot be used"
    "people:join": SIGNED_IN,
    "support:join_decide": row(404, anonymous=LOGIN, method="post"),
    "people:orientation": SIGNED_IN,
    "people:orientation_ack": row(404, anonymous=LOGIN, method="post"),
    "support:members": only(COORDINATORS + ["staff"]),
    "support:member_change": row(404, anonymous=LOGIN, method="post"),
    "support:member_remove_confirm": row(404, anonymous=LOGIN),  # asks first (GET); nobody's membership in the world

    # --- role homes ----------------------------------------------------------------
    "matches:mentee_home": only(["mentee"]),
    "matches:mentor_home": only(MENTORS),
    "matches:coordinator_home": only(COORDINATORS),
    "support:mea_home": only(MEAS),
    "escalations:staff_home": only(["staff"]),

    # --- The admin: staff only, through the portal's sign-in -------------------------
    # Staff answers vary by model permission and object (200 list, 302 to the list
    # for a missing object, 403 without the model permission), never a page for others.
    # allauth's secure_admin_login: anonymous to the portal sign-in, signed-in non-staff refused.
    "admin:login": row(403, anonymous=LOGIN, staff=302),
    "admin:logout": row(302, staff=405),  # signing out is a POST
    "admin:*": row(LOGIN, staff={200, 302, 403, 404}),
    "admin/*": row(LOGIN, staff={200, 302, 403, 404}),

    # --- community: chat board, toolkit, insights ----------------------------------
    # Object pages use an id that exists for nobody: 404 for every signed-in person.
    "community:board": SIGNED_IN,
    "community:post_create": SIGNED_IN,
    "community:blocks": SIGNED_IN,
    "community:toolkit": SIGNED_IN,
    "community:report_list": only(["coordinator", "other_coordinator", "staff"]),
    "community:resource_create": only(["coordinator", "other_coordinator", "staff"]),
    "community:insights": only(["coordinator", "other_coordinator", "staff"]),
    "community:insights_csv": only(["coordinator", "other_coordinator", "staff"]),  # metric: KWARG_DEFAULTS
    "community:post_detail": row(404, anonymous=LOGIN),
    "community:thread_detail": row(404, anonymous=LOGIN),
    "community:report_post": row(404, anonymous=LOGIN),
    "community:report_message": row(404, anonymous=LOGIN),
    "community:report_detail": row(404, anonymous=LOGIN),
    "community:resource_detail": row(404, anonymous=LOGIN),
    "community:resource_edit": row(404, anonymous=LOGIN),
    "community:match_resources": row(404, anonymous=LOGIN),
    "community:post_close": row(404, anonymous=LOGIN, method="post"),
    "community:post_reply": row(404, anonymous=LOGIN, method="post"),
    "community:block_post_author": row(404, anonymous=LOGIN, method="post"),
    "community:thread_message": row(404, anonymous=LOGIN, method="post"),
    "community:thread_contact": row(404, anonymous=LOGIN, method="post"),
    "community:block_thread_other": row(404, anonymous=LOGIN, method="post"),
    "community:block_remove": row(404, anonymous=LOGIN, method="post"),
    "community:report_resolve": row(404, anonymous=LOGIN, method="post"),
    "community:resource_status": row(404, anonymous=LOGIN, method="post"),
    "community:resource_save": row(404, anonymous=LOGIN, method="post"),
    "community:saved_remove": row(404, anonymous=LOGIN, method="post"),

    # --- matches: applications, proposals, the match ---------------------------------
    "matches:mentor_apply": SIGNED_IN,
    "matches:application_review": only(["coordinator", "staff"], 302, method="post", kwargs={"pk": "application"}),
    "matches:mentor_status": only(MENTORS, 302, method="post"),
    "matches:mentor_capacity": only(MENTORS, 302, method="post"),
    "matches:mentor_retire_confirm": only(MENTORS),  # asks first; retiring is the POST to mentor_status
    "matches:mentee_preferences": only(["mentee"]),
    "matches:proposal_ask": [
        only(["mentee"], kwargs={"mentor_id": "mentor_id"}),
        row(404, anonymous=LOGIN, kwargs={"mentor_id": "other_mentor_id"}),  # another group's mentor
    ],
    "matches:proposal_offer": [
        only(["mentor"], kwargs={"mentee_id": "waiting_mentee"}),
        row(404, anonymous=LOGIN, kwargs={"mentee_id": "mentee_id"}),  # has a mentor: offered to nobody
    ],
    "matches:proposal_propose": [
        only(["coordinator"], 302, method="post", data={"mentee": "{waiting_mentee}", "mentor": "{mentor_id}"}),
        row(404, anonymous=LOGIN, method="post"),  # no pair named
    ],
    "matches:proposal_detail": only(PROPOSAL, kwargs={"pk": "proposal"}),
    # Answering is for the two people in it; withdrawing for whoever started it and the group's coordinators.
    "matches:proposal_accept": only(["mentee", "mentor"], 200, method="post", kwargs={"pk": "proposal"}),
    "matches:proposal_decline": only(["mentee", "mentor"], 302, method="post", kwargs={"pk": "proposal"}),
    # Asks first (GET); the world's proposal is already accepted, so its people are sent back to it.
    "matches:proposal_decline_confirm": only(["mentee", "mentor"], 302, kwargs={"pk": "proposal"}),
    "matches:proposal_withdraw": only(["coordinator", "staff"], 302, method="post", kwargs={"pk": "proposal"}),
    "matches:proposal_link": [
        # The signed link is the mentee's: shown to them, or to whoever is not signed in.
        row(404, anonymous=200, mentee=200, kwargs={"token": "link_mentee_accept"}),
        row(410),  # forged
    ],
    "matches:match_detail": [only(MATCH, kwargs={"pk": "match"}), only(OTHER_MATCH, kwargs={"pk": "other_match"})],
    "matches:match_end": only(["mentee", "mentor"], 200, method="post", kwargs={"pk": "match"}),  # no reason: form again
    "matches:match_end_confirm": only(["mentee", "mentor"], kwargs={"pk": "match"}),  # the ending page; POST ends
    "matches:suggestions": [
        only(["coordinator"], kwargs={"mentee_id": "waiting_mentee"}),
        only(["mentee"], kwargs={"mentee_id": "mentee_id"}),  # their own
    ],
    "matches:cohort": [
        only(COORDINATORS),
        only(COORDINATORS, 302, method="post", data={"pairs": "{waiting_mentee}:{mentor_id}"}),
    ],

    # --- support: MEA assignment, check-ins, milestones -----------------------------
    "support:mea_profile_edit": only(MEAS),
    "support:coordinator_dashboard": only(COORDINATORS),
    "support:compliance": only(["staff"]),
    "support:match_detail": [only(MATCH, kwargs={"pk": "match"}), only(OTHER_MATCH, kwargs={"pk": "other_match"})],
    "support:assign_mea": only(["coordinator", "staff"], 302, method="post", kwargs={"pk": "match"}),
    "support:checkin_create": only(["mea"], kwargs={"pk": "match"}),
    "support:request_create": only(["mea"], 302, method="post", kwargs={"pk": "match"}),
    "support:milestone_create": only(["mentee", "mentor", "mea"], 302, method="post", kwargs={"pk": "match"}),
    # What a mentor tells the MEA is the MEA's alone: not coordinators', not staff's.
    "support:request_detail": only(["mea"], kwargs={"pk": "checkin_request"}),
    "support:request_answer": only(["mentor"], kwargs={"pk": "checkin_request"}),
    "support:request_withdraw": only(["mea"], 302, method="post", kwargs={"pk": "checkin_request"}),
    # The members' own voice: the mentee answered this period's pulse already (sent back to the match).
    "support:pulse": row(404, anonymous=LOGIN, mentor=200, mentee=302, kwargs={"pk": "match"}),
    "support:pulse_link": [row(410), row(200, kwargs={"token": "pulse_link_mentor"})],  # the signed link is the key
    "support:closing_survey": row(404, anonymous=LOGIN, kwargs={"pk": "match"}),  # THE match is still active
    "support:program_survey": only(["mentee", "mentor", "other_mentor"]),

    # --- meetings: planned by the pair, read by whoever sees the match ---------------
    "meetings:propose": only(["mentee", "mentor"], kwargs={"pk": "match"}),
    "meetings:detail": only(MATCH, kwargs={"pk": "meeting"}),
    "meetings:accept": only(["mentee", "mentor"], 302, method="post", kwargs={"pk": "meeting"}),
    "meetings:suggest": only(["mentee", "mentor"], kwargs={"pk": "meeting"}),
    "meetings:held": only(["mentee", "mentor"], 302, method="post", kwargs={"pk": "meeting"}),
    "meetings:cancel": only(["mentee", "mentor"], 302, method="post", kwargs={"pk": "meeting"}),
    "meetings:ics": only(["mentee", "mentor"], kwargs={"pk": "meeting"}),
    # Goals are the pair's words: the pair acts, the MEA reads them on the match page; coordinators and staff: 404.
    "meetings:goal_add": only(["mentee", "mentor"], 302, method="post", kwargs={"pk": "match"}),
    "meetings:goal_update": only(["mentee", "mentor"], 302, method="post", kwargs={"pk": "goal"}),
    "meetings:calendar": SIGNED_IN,
    "meetings:calendar_new": row(200, anonymous=LOGIN, method="post"),
    "meetings:calendar_stop": row(302, anonymous=LOGIN, method="post"),
    "meetings:feed": row(404),  # no sign-in: the secret is the key; a made-up one opens nothing

    # --- escalations: reports --------------------------------------------------------
    "escalations:report": SIGNED_IN,
    "escalations:mine": SIGNED_IN,
    "escalations:my_report": [  # the reporter's page; handlers work elsewhere
        only(["mentor"], kwargs={"pk": "concern_tier1"}),
        only(["mentor"], kwargs={"pk": "concern_monitor"}),
        only(["mentee"], kwargs={"pk": "concern_about_mea"}),
    ],
    "escalations:add_details": [  # only the reporter adds to their own report
        only(["mentor"], 302, method="post", kwargs={"pk": "concern_tier1"}, data={"details": "More."}),
        only(["mentee"], 302, method="post", kwargs={"pk": "concern_about_mea"}, data={"details": "More."}),
    ],
    "escalations:debrief_answer": [
        only(["mentor"], 302, method="post", kwargs={"pk": "debrief_monitor"}),
        only(["mentee"], 302, method="post", kwargs={"pk": "debrief_about_mea"}),
    ],
    "escalations:inbox": only(MEAS),
    "escalations:inbox_detail": [
        only(["mea"], kwargs={"pk": "concern_tier1"}),
        only(["mea"], kwargs={"pk": "concern_monitor"}),
        row(404, anonymous=LOGIN, kwargs={"pk": "concern_about_mea"}),  # never the MEA's, named or not
    ],
    "escalations:inbox_act": [
        only(["mea"], 302, method="post", kwargs={"pk": "concern_tier1"}),
        row(404, anonymous=LOGIN, method="post", kwargs={"pk": "concern_about_mea"}),
        row(404, anonymous=LOGIN, method="post", kwargs={"pk": "concern_tier1", "action": "action_unknown"}),
    ],

    # --- The admin on real objects: each admin reads through visible_to --------------
    # An object outside staff's scope is "missing": Django's admin sends them to its index.
    "admin:escalations_concern_change": [
        row(LOGIN, staff=200, kwargs={"object_id": "concern_about_mea"}),
        row(LOGIN, staff=200, kwargs={"object_id": "concern_monitor"}),
        row(LOGIN, staff=302, kwargs={"object_id": "concern_tier1"}),  # tier 1, still the MEA's
    ],
    "admin:matches_match_change": row(LOGIN, staff=200, kwargs={"object_id": "match"}),
    "admin:matches_proposal_change": row(LOGIN, staff=200, kwargs={"object_id": "proposal"}),
}
