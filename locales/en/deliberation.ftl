# The deliberation's analysis, as facilitators read it (/statements report, the dashboard),
# and the common ground shared back to participants (/share statements).
delib-head = Statements: { $statements }, { $people } people voted.
delib-pending = { $count } proposals wait for /approve or /reject.
delib-common-ground = Common ground (a clear majority agrees in every group with 5 voters or more):
delib-divisive = Divisive (groups disagree):
delib-opinion-groups = Opinion groups (people who vote alike):
delib-none-yet = none yet
delib-split = agree: { $agree }; disagree: { $disagree }
delib-group = Group { $label } ({ $size } people): { $make_up }
delib-agree = agrees { $share }%:
delib-disagree = disagrees { $share }%:
delib-status-computed = computed
delib-status-no-votes = none yet: nobody has voted
delib-status-too-few-statements = none yet: too few statements voted on
delib-status-too-few-participants = none yet: fewer than 20 people voted on 7 statements or more
delib-status-no-variation = none: everyone voted alike
delib-status-groups-too-small = none: every split left a group under 5 people
delib-share-head = Common ground so far ({ $people } people took part):
delib-share-none = No common ground yet ({ $people } people took part). Thank you: every vote counts.
