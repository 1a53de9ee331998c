# L'analyse de la délibération, telle que la lisent les facilitateurs, et le terrain
# d'entente partagé avec les participants.
delib-head = Affirmations : { $statements }, { $people } personnes ont voté.
delib-pending = { $count } propositions attendent /approve ou /reject.
delib-common-ground = Terrain d'entente (une nette majorité d'accord dans chaque groupe d'au moins 5 votants) :
delib-divisive = Ce qui divise (les groupes s'opposent) :
delib-opinion-groups = Groupes d'opinion (ceux qui votent de même) :
delib-none-yet = rien pour l'instant
delib-split = d'accord : { $agree } ; pas d'accord : { $disagree }
delib-group = Groupe { $label } ({ $size } personnes) : { $make_up }
delib-agree = d'accord à { $share } % :
delib-disagree = pas d'accord à { $share } % :
delib-status-computed = calculés
delib-status-no-votes = pas encore : personne n'a voté
delib-status-too-few-statements = pas encore : trop peu d'affirmations votées
delib-status-too-few-participants = pas encore : moins de 20 personnes ont voté sur 7 affirmations ou plus
delib-status-no-variation = aucun : tout le monde a voté de même
delib-status-groups-too-small = aucun : chaque partage laissait un groupe de moins de 5 personnes
delib-share-head = Terrain d'entente jusqu'ici ({ $people } personnes ont participé) :
delib-share-none = Pas encore de terrain d'entente ({ $people } personnes ont participé). Merci : chaque vote compte.
