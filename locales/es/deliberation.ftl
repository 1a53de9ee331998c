# El análisis de la deliberación, como lo leen los facilitadores, y el terreno común
# compartido con los participantes.
delib-head = Afirmaciones: { $statements }, { $people } personas votaron.
delib-pending = { $count } propuestas esperan /approve o /reject.
delib-common-ground = Terreno común (una clara mayoría de acuerdo en cada grupo con 5 votantes o más):
delib-divisive = Lo que divide (los grupos discrepan):
delib-opinion-groups = Grupos de opinión (quienes votan parecido):
delib-none-yet = nada por ahora
delib-split = de acuerdo: { $agree }; en desacuerdo: { $disagree }
delib-group = Grupo { $label } ({ $size } personas): { $make_up }
delib-agree = de acuerdo { $share } %:
delib-disagree = en desacuerdo { $share } %:
delib-status-computed = calculados
delib-status-no-votes = aún no: nadie votó
delib-status-too-few-statements = aún no: muy pocas afirmaciones votadas
delib-status-too-few-participants = aún no: menos de 20 personas votaron sobre 7 afirmaciones o más
delib-status-no-variation = ninguno: todos votaron igual
delib-status-groups-too-small = ninguno: cada división dejaba un grupo de menos de 5 personas
delib-share-head = Terreno común hasta ahora ({ $people } personas participaron):
delib-share-none = Aún no hay terreno común ({ $people } personas participaron). Gracias: cada voto cuenta.
