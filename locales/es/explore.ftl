# Explorar: el problema principal, causas, efectos, lo que se ha intentado, quién falta, urgencia.

explore-challenge = ¿Cuál es el principal problema que debería tratar este diálogo? Responda con sus propias palabras.
explore-causes = ¿Qué cree que causa este problema?
explore-effects = ¿Cómo afecta a su vida y a la de las personas a su alrededor?
explore-tried = ¿Qué se ha intentado ya para resolverlo? ¿Qué funcionó y qué no?

explore-missing = ¿Falta alguien en la mesa? ¿Hay personas o grupos que deberían participar y no están?
explore-who_missing = ¿Quién falta? Díganos qué personas o grupos, y cómo podríamos contactarlos.

explore-urgency = ¿Es urgente este problema?
explore-urgency-low = Puede esperar
explore-urgency-high = Muy urgente

explore-thanks = Gracias por compartir. Ahora queremos conocer sus esperanzas para el futuro.
