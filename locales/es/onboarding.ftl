# Bienvenida: consentimiento, idioma y un breve perfil opcional.
# También se envía por SMS: textos cortos, sin comillas ni apóstrofos tipográficos.

onboarding-welcome = Le damos la bienvenida a Baraza. Participe en "{ $dialogue }", un espacio de la sociedad civil para buscar soluciones juntos.
onboarding-about = Le haremos unas preguntas cortas, solo para este diálogo. Envíe ALTO para salir cuando quiera, o AYUDA si necesita ayuda.

onboarding-consent = ¿Podemos guardar sus respuestas y un breve perfil? Su contacto queda aparte, solo para escribirle; lo exportado lleva un código. BORRAR elimina todo.
onboarding-consent-declined = No hay problema, no guardaremos nada. Gracias. Puede escribirnos de nuevo cuando quiera.

onboarding-language = Language / Langue / Idioma:

onboarding-group = ¿A qué grupo pertenece?
onboarding-group-community = Comunidad
onboarding-group-civil-society = Sociedad civil
onboarding-group-government = Gobierno
onboarding-group-business = Sector privado
onboarding-group-research = Investigación
onboarding-group-partner = Cooperación internacional
onboarding-group-other = Otro
onboarding-group-prefer-not = Prefiero no decirlo

onboarding-age = ¿Qué edad tiene?
onboarding-age-under-18 = Menos de 18
onboarding-age-18-24 = 18 a 24
onboarding-age-25-34 = 25 a 34
onboarding-age-35-49 = 35 a 49
onboarding-age-50-64 = 50 a 64
onboarding-age-65-plus = 65 en adelante
onboarding-age-prefer-not = Prefiero no decirlo

onboarding-gender = ¿Cuál es su género?
onboarding-gender-woman = Mujer
onboarding-gender-man = Hombre
onboarding-gender-other = Otro
onboarding-gender-prefer-not = Prefiero no decirlo

onboarding-area = ¿En qué zona vive?
onboarding-area-urban = En la ciudad
onboarding-area-peri-urban = En las afueras
onboarding-area-rural = En el campo
onboarding-area-prefer-not = Prefiero no decirlo

onboarding-thanks = ¡Gracias! Ahora, unas preguntas sobre el principal problema de su comunidad.
