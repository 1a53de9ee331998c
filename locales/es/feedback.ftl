# Comentarios: utilidad, lo que faltó y el compromiso de compartir los resultados.

feedback-useful = ¿Le resultó útil esta conversación?
feedback-useful-low = Nada útil
feedback-useful-high = Muy útil

feedback-missing = ¿Qué faltó o qué podríamos mejorar?

feedback-thanks = ¡Gracias por participar! Compartiremos los resultados con todas las personas participantes y le mantendremos al tanto de los siguientes pasos.
