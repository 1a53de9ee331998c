# Visión: el éxito en cinco años, las prioridades y lo que cada quien puede aportar.

vision-success = Imagine que han pasado cinco años y todo ha salido bien. ¿Qué ha cambiado? ¿Qué significa el éxito para usted?

vision-priorities = ¿Cuáles son sus prioridades?
vision-priorities-water = Agua
vision-priorities-health = Salud
vision-priorities-jobs = Empleo e ingresos
vision-priorities-education = Educación
vision-priorities-security = Seguridad
vision-priorities-land = Tierra
vision-priorities-governance = Buen gobierno
vision-priorities-other = Otro

vision-contribution = ¿Qué podría hacer usted o su organización para lograrlo?

vision-thanks = ¡Gracias! Para terminar, dos preguntas breves sobre este intercambio.
