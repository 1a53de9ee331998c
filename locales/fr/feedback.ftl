# Retour : utilité, ce qui a manqué, et la promesse de partager les résultats.

feedback-useful = Cet échange vous a-t-il été utile ?
feedback-useful-low = Pas utile
feedback-useful-high = Très utile

feedback-missing = Qu'est-ce qui a manqué, ou que pourrions-nous améliorer ?

feedback-thanks = Merci de votre participation ! Nous partagerons les résultats avec tous les participants et vous tiendrons au courant de la suite.
