# Vision : la réussite dans cinq ans, les priorités, et ce que chacun peut faire.

vision-success = Imaginez que, dans cinq ans, tout s'est bien passé. Qu'est-ce qui a changé ? Comment voyez-vous la réussite ?

vision-priorities = Quelles sont vos priorités ?
vision-priorities-water = Eau
vision-priorities-health = Santé
vision-priorities-jobs = Emploi
vision-priorities-education = Éducation
vision-priorities-security = Sécurité
vision-priorities-land = Terre
vision-priorities-governance = Bonne gouvernance
vision-priorities-other = Autre

vision-contribution = Que pourriez-vous faire, vous ou votre organisation, pour y arriver ?

vision-thanks = Merci ! Pour finir, deux questions rapides sur cet échange.
