# Feedback: usefulness, what was missing, and the promise to report back.

feedback-useful = Was this conversation useful to you?
feedback-useful-low = Not useful
feedback-useful-high = Very useful

feedback-missing = What was missing, or what could we do better?

feedback-thanks = Thank you for taking part! We will share the results with all participants and keep you informed about what happens next.
