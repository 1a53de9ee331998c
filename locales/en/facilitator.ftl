# Facilitators' commands (every reply is in the facilitator's language: /lang), and what
# participants receive from them. Counts of people come as $shown (the figure, "<5" when
# small) with $count to choose the plural.
fac-refused = Sorry, this command is for the dialogue's facilitators.
fac-not-participant = You facilitate this dialogue, so you do not take part in its flows and are not counted as a participant.
fac-unknown-command = There is no command { $command }.
fac-try-again = That could not be done just now: please send it again.
fac-help =
    Facilitator commands for { $dialogues } (times in { $zone }):
    /prompt Question - an open question to every participant
    /poll Question | Option 1 | Option 2 - a poll
    /share [ID] - send a poll's results back to everyone
    Each of these first answers with a preview: /send sends it, /cancel drops it.
    /close [ID] - close a poll; /results [ID] - its votes so far
    /dashboard - who takes part; /export - the answers as CSV; /web - the web dashboard
    /statement, /statements, /approve, /reject, /round - statements to agree or disagree with
    /lang fr - the language of these replies (en, fr, es)
    /help poll - more about one command

# How to write each command, added below the reason when a command is refused.
fac-usage-help = /help lists the commands; /help poll says more about one of them.
fac-usage-lang = Write /lang fr for French, /lang es for Spanish, /lang en for English.
fac-usage-prompt =
    Write: /prompt Your question
    In several languages: /prompt en: Question? | fr: Question ? | es: ¿Pregunta?
    Options: --to GROUP (one stakeholder group), --opens 2h, --closes 24h, --urgent
    Example: /prompt --closes 2d What should the next session discuss?
fac-usage-poll =
    Write: /poll Question | Option 1 | Option 2 (2 to 10 options)
    In several languages: /poll en: Q | A | B || fr: Q | A | B
    Options: --to GROUP, --opens 2h, --closes 24h (both from now, at most 60 days ahead), --urgent
    Example: /poll --closes 24h Which first? | Water | Roads
fac-usage-share = Write /share for the latest poll, or /share 3 for poll 3. A preview comes first.
fac-usage-send = Write /send to send what you just previewed (/cancel drops it).
fac-usage-cancel = Write /cancel to drop what you previewed: nothing is sent.
fac-usage-close = Write /close for the latest poll, or /close 3 for poll 3.
fac-usage-results = Write /results for the latest poll, or /results 3 for poll 3.
fac-usage-dashboard = Write /dashboard (or /dashboard --dialogue CODE).
fac-usage-export = Write /export (or /export --dialogue CODE): the answers as a CSV file.
fac-usage-web = Write /web for a link to the web dashboard, or /web off to sign out everywhere.

# Why a command was refused.
fac-unknown-option = { $option } is not an option of this command.
fac-option-needs-value = { $option } needs a value.
fac-takes-no-text = { $command } takes nothing after it.
fac-bad-duration = "{ $value }" is not a duration: write 90m, 24h or 2d.
fac-opens-too-soon = --opens { $value } is too soon: at least 1 minute ahead (without --opens it goes out now).
fac-too-far = { $option } { $value } is too far ahead: at most { $days } days.
fac-closes-before-opens = --closes { $closes } would close it before it opens (--opens { $opens }): both count from now.
fac-closes-too-soon = --closes { $value } is too soon: it stays open at least { $minutes } minutes.
fac-mixed-languages = Give every part a language (en:, fr:, es:) or none.
fac-language-twice = "{ $prefix }:" is given twice.
fac-empty-language = A language has no text.
fac-poll-no-question = The poll has no question.
fac-poll-one-option = { $count ->
    [0] A poll needs at least 2 options; you gave none.
    [one] A poll needs at least 2 options; you gave only one.
   *[other] A poll needs at least 2 options.
}
fac-too-many-options = A poll has at most { $max } options; you gave { $count }.
fac-duplicate-option = The option "{ $option }" is given twice.
fac-options-differ = Every language must give the same number of options.
fac-not-a-number = "{ $value }" is not a poll number.
fac-unknown-group = There is no stakeholder group "{ $group }". Groups: { $groups }.
fac-unknown-dialogue = You do not facilitate a dialogue "{ $code }".
fac-no-poll-yet = { $dialogue } has no poll yet.
fac-unknown-poll = There is no poll { $id } in { $dialogue }. { $count ->
    [0] It has no poll yet.
   *[other] Its polls: { $polls }.
}
fac-not-a-poll = { $id } is a prompt, not a poll. { $count ->
    [0] { $dialogue } has no poll yet.
   *[other] Polls of { $dialogue }: { $polls }.
}
fac-share-not-open = Poll { $id } has not opened yet (it opens at { $time }): there are no results to share.

# Polls.
fac-closed = { $kind ->
    [poll] Poll { $id } is closed: { $shown } { $count ->
        [one] vote
       *[other] votes
    }.
   *[prompt] Prompt { $id } is closed: { $shown } { $count ->
        [one] answer
       *[other] answers
    }.
}
fac-already-closed = { $kind ->
    [poll] Poll { $id } was already closed ({ $time }): { $shown } { $count ->
        [one] vote
       *[other] votes
    }.
   *[prompt] Prompt { $id } was already closed ({ $time }): { $shown } { $count ->
        [one] answer
       *[other] answers
    }.
}
fac-cancelled-scheduled = { $kind ->
    [poll] Poll { $id } will not open: cancelled.
   *[prompt] Prompt { $id } will not open: cancelled.
}
fac-results = Poll { $id }: { $question } ({ $shown } { $count ->
    [one] vote
   *[other] votes
}, { $state })
fac-state-open = open
fac-state-open-until = open until { $time }
fac-state-closed = closed
fac-state-scheduled = opens at { $time }

# Previews: nothing goes out before /send.
fac-preview-head = { $kind ->
    [poll] Preview of your poll, not sent yet:
    [share] Preview of the results you would share, not sent yet:
    [round] Preview of your round of statements, not sent yet:
    [statements] Preview of the common ground you would share, not sent yet:
   *[prompt] Preview of your prompt, not sent yet:
}
fac-preview-poll = Poll { $id }: { $question } ({ $shown } { $count ->
    [one] vote
   *[other] votes
})
fac-preview-too-few = Fewer than { $least } votes: participants will only be told that the results come when more people have voted.
fac-preview-still-open = Poll { $id } is still open: these are the results so far, and it stays open.
fac-preview-everyone = everyone in { $dialogue }
fac-preview-group = the group { $group } ({ $code })
fac-preview-audience = { $count ->
    [0] Nobody would receive it yet: there is no consented participant in { $who }.
   *[other] To { $who }: { $shown } participants.
}
fac-preview-by = By channel: { $channels }. By language: { $languages }.
fac-preview-window = On WhatsApp, { $shown } { $count ->
    [one] person has
   *[other] people have
} not written for 24 hours: { $how ->
    [template] they get it as your approved template.
   *[wait] it waits until they write again (set WHATSAPP_TEMPLATE_SID to send a template).
}
fac-preview-fallback = No text in { $language }: { $language } speakers get the { $fallback } text.
fac-preview-sms = SMS parts per language: { $parts }
fac-preview-quiet = Quiet hours now ({ $start }-{ $end }, { $zone }): it will be held until { $end }.
fac-preview-opens = Opens at { $time }.
fac-preview-closes = Closes at { $time }.
fac-preview-urgent = Urgent: shown at once, even to people in the middle of a question.
fac-preview-replaces = It replaces your previous draft, which will not be sent.
fac-preview-how = { $buttons ->
    [true] Send it with /send or the Send button, drop it with /cancel.
   *[other] Send it with /send, drop it with /cancel.
} It lapses in { $minutes } minutes, at { $time }.
fac-button-send = Send
fac-button-cancel = Cancel
fac-draft-old = That is not your latest preview: nothing was sent.
fac-no-draft = There is nothing to send or cancel: /prompt, /poll and /share make a preview first.
fac-draft-was-sent = { $kind ->
    [poll] Poll { $id } was already sent.
    [share] The results of poll { $id } were already sent.
    [round] That round was already sent.
    [statements] That common ground was already shared.
   *[prompt] Prompt { $id } was already sent.
}
fac-draft-expired = The preview lapsed after { $minutes } minutes and nothing was sent: send the command again.
fac-draft-cancelled = Cancelled: nothing was sent.
fac-draft-too-late = Its closing time has come: nothing was sent. Send the command again with a later --closes.

# Sent.
fac-scheduled = { $kind ->
    [poll] Poll { $id } will open at { $time }.
   *[prompt] Prompt { $id } will open at { $time }.
}
fac-prompt-sent = { $count ->
    [0] Prompt { $id } is open, but nobody is in its audience yet.
   *[other] Prompt { $id } sent to { $shown } participants.
}
fac-poll-sent = { $count ->
    [0] Poll { $id } is open, but nobody is in its audience yet.
   *[other] Poll { $id } sent to { $shown } participants.
}
fac-shared = { $count ->
    [0] The results of poll { $id } reach nobody yet: its audience is empty.
   *[other] Results of poll { $id } sent to { $shown } participants.
}
fac-export-ready = Export of { $code }: { $rows ->
    [one] 1 row
   *[other] { $rows } rows
}.

# The facilitator's language.
fac-lang-now = These replies are in { $language }. Languages: { $choices }.
fac-lang-unknown = "{ $value }" is not one of the languages: { $choices }.
fac-lang-set = Your replies are now in { $language }.
fac-lang-en = English
fac-lang-fr = French
fac-lang-es = Spanish

# What participants receive.
prompt-reply-hint = Reply with your answer.
share-header = Results of poll { $id }: { $question } ({ $votes } votes)
share-too-few = Poll { $id }: { $question } Fewer than 5 people have voted so far; we will share the results when more have voted.
session-reminder = Reminder: { $title } takes place on { $date }. We hope to hear from you!

# The web dashboard.
fac-web-link = Your web dashboard, for { $minutes } minutes and one use: { $url }
fac-web-off = Signed out of the web dashboard: { $count ->
    [one] 1 session ended.
   *[other] { $count } sessions ended.
}
fac-web-usage = Write /web for a link to the web dashboard, or /web off to sign out everywhere.

# Deliberation: statements people agree or disagree with.
fac-usage-statement = Write: /statement en: A short sentence. | fr: Une phrase courte. | es: Una frase corta. (at most 100 characters each)
fac-usage-statements = Write /statements for the proposals waiting, or /statements report for what the groups agree on.
fac-usage-approve = Write /approve 12 to approve proposal 12, or /approve 12 fr: ... | es: ... to add translations.
fac-usage-reject = Write /reject 12 to reject proposal 12.
fac-usage-round = Write /round (or /round --to GROUP --count 5): each participant gets up to 5 statements they have not voted on. A preview comes first.
fac-statement-too-long = The { $language } text has { $length } characters: at most { $max }, so that it stays one SMS.
fac-statement-two-parts = The { $language } text would not fit in one SMS with its options: shorten it.
fac-statement-added = Statement { $id } added ({ $languages }). /round sends statements to the participants.
fac-statements-head = Statements: { $approved } approved, { $waiting ->
    [one] one proposal waiting
   *[other] { $waiting } proposals waiting
}.
fac-statements-how = /approve { $id } (add translations: /approve { $id } fr: ... | es: ...) or /reject { $id }.
fac-no-statement = There is no statement { $id } in this dialogue.
fac-approve-tag-languages = Give translations with their language: /approve 12 fr: ... | es: ...
fac-statement-approved = Statement { $id } approved ({ $languages }).
fac-statement-rejected = Statement { $id } rejected: nobody will vote on it.
fac-round-count = --count { $value }: give a number of statements from 1 to { $max }.
fac-round-empty = There is no approved statement yet: add one with /statement, or approve a proposal.
fac-round-sent = { $count ->
    [0] The round is open, but nobody is in its audience yet.
   *[other] Round sent: up to { $per } statements each to { $shown } participants.
}
fac-statements-shared = { $count ->
    [0] Nobody is in the dialogue yet: nothing was shared.
   *[other] The common ground was shared with { $shown } participants.
}
fac-preview-round = Up to { $per } statements each, among { $approved } approved, the least voted first.
