# Explorer : le problème principal, ses causes et effets, ce qui a été essayé, qui manque, l'urgence.

explore-challenge = Selon vous, quel est le principal problème que ce dialogue doit traiter ? Répondez avec vos propres mots.
explore-causes = Selon vous, quelles sont les causes de ce problème ?
explore-effects = Quels sont ses effets sur votre vie et sur celle des personnes autour de vous ?
explore-tried = Qu'a-t-on déjà essayé pour le résoudre ? Qu'est-ce qui a marché, et qu'est-ce qui n'a pas marché ?

explore-missing = Manque-t-il quelqu'un autour de la table ? Des personnes ou des groupes qui devraient participer à ce dialogue mais n'y sont pas ?
explore-who_missing = Qui manque ? Dites-nous quelles personnes ou quels groupes, et comment les joindre.

explore-urgency = Ce problème est-il urgent ?
explore-urgency-low = Peut attendre
explore-urgency-high = Très urgent

explore-thanks = Merci pour vos réponses. Parlons maintenant de vos espoirs pour l'avenir.
