"""Keywords (STOP, START, HELP, LANG, MYDATA, DELETE, JOIN, SKIP, POLL) and the two
confirmations they can open (DELETE's, LANG's menu). STOP always wins; a stopped person
can still see (MYDATA) and erase (DELETE) their data without being brought back."""

from __future__ import annotations

from bot.engine import keywords, replies
from bot.engine.builder import Builder, joined
from bot.engine.io import MAX_STATEMENT, Asks, Option, Proposal, Question, Recorded, Refused


class KeywordMoves(Builder):
    # --- which keywords count -----------------------------------------------------------

    def valid(self, cmd: keywords.Command) -> bool:
        """A keyword with an argument counts only when the argument makes sense: "Join
        us" or "Lang uage" are answers, not commands."""
        if not cmd.argument:
            return True
        if cmd.keyword == "join":
            return cmd.argument in self.ctx.dialogues
        if cmd.keyword == "lang":
            return self.language_named(cmd.argument) is not None
        if cmd.keyword in ("poll", "statement"):
            return cmd.argument.isdigit()
        return cmd.keyword == "idea"

    def language_named(self, word: str) -> str | None:
        langs = self.ctx.tr.languages
        labels = [[lang, self.ctx.tr.name_of(lang)] for lang in langs]
        idx = replies.match_label(word, labels)
        return None if idx is None else langs[idx]

    # --- keywords -----------------------------------------------------------------------------

    def keyword(self, cmd: keywords.Command) -> None:
        kw = cmd.keyword
        if kw == "stop":
            self.stop()
        elif kw in ("start", "join"):
            self.join(cmd.argument or None)
        elif kw == "help":
            self.reask(self.t("help"))
        elif kw == "lang":
            lang = self.language_named(cmd.argument) if cmd.argument else None
            if lang is not None:
                self.set_language(lang)
            else:
                self.p = self.p.with_(pending="language")
                self.ask_language()
        elif kw == "mydata":
            self.reask(self.my_data())
        elif kw == "delete":
            self.ask_delete()
        elif kw == "skip":
            self.skip()
        elif kw in ("poll", "statement"):
            self.reopen_poll(cmd.argument, kw)
        elif kw == "idea":
            self.idea(cmd.argument)

    def stop(self) -> None:
        if self.p.run is not None:
            self.record_run(self.p.run, "active")
        self.p = self.p.with_(stopped=True, pending=None)
        self.clear_agenda()
        self.say(self.t("stopped"), force=True)

    def stopped_turn(self, cmd: keywords.Command | None, text: str) -> None:
        """Someone who sent STOP: START (or JOIN) brings them back; MYDATA and DELETE are
        answered without bringing them back; anything else is not even stored."""
        if self.p.pending == "delete" and cmd is None:
            self.confirm_delete(None, text)
        elif cmd is not None and cmd.keyword in ("start", "join"):
            self.join(cmd.argument or None)
        elif cmd is not None and cmd.keyword == "mydata":
            self.say(self.my_data(), force=True)
        elif cmd is not None and cmd.keyword == "delete":
            if self.p.pending == "delete":
                self.confirm_delete(cmd)
            else:
                self.ask_delete()
        elif cmd is not None and cmd.keyword == "stop":
            self.p = self.p.with_(pending=None)
            self.say(self.t("stopped"), force=True)
        elif cmd is not None and cmd.keyword == "help":
            self.say(self.t("stopped-help"), force=True)
        else:
            self.out.changed = False

    def join(self, code: str | None) -> None:
        """START, JOIN or a deep link: come back, or join another dialogue."""
        self.p = self.p.with_(stopped=False, pending=None)
        if code is not None and code != self.p.dialogue:
            # another dialogue: its own flows, from the start, and its own consent
            if self.p.run is not None:
                self.record_run(self.p.run, "left")
            self.clear_agenda()
            self.p = self.p.with_(dialogue=code, run=None, consented=False, profile={})
            self.start_flow(self.dialogue.start_flow)
            self.next_up()
        elif self.live_current() is not None or self.p.run is not None:
            self.reask(self.t("welcome-back"))
        elif self.p.finished:
            self.say(joined(self.t("welcome-back"), self.t("all-done")))
        else:  # never started, or declined consent: the dialogue is offered again
            self.start_flow(self.dialogue.start_flow)
            self.next_up()

    # --- DELETE ---------------------------------------------------------------------------

    def ask_delete(self) -> None:
        self.p = self.p.with_(pending="delete")
        question = Question("text", self.next_seq(), asks=Asks("delete"))
        self.say(self.t("delete-confirm"), question, force=self.p.stopped)

    def confirm_delete(self, cmd: keywords.Command | None, text: str = "") -> None:
        """The reply to "Delete all your data?": yes (or DELETE again) erases; STOP stops;
        anything else cancels (a keyword is then carried out)."""
        if cmd is not None and cmd.keyword == "stop":
            self.stop()
            return
        confirmed = (cmd is not None and cmd.keyword == "delete") or replies.yes_no(text, self.ctx.tr.lexicon) is True
        self.p = self.p.with_(pending=None)
        self.fact(Recorded(Asks("delete"), ("yes" if confirmed else "no",)))
        if confirmed:
            self.out.erase = True
            self.say(self.t("deleted"), force=True)
        elif self.p.stopped:
            self.say(self.t("delete-cancelled"), force=True)
        elif cmd is not None:
            self.say(self.t("delete-cancelled"))
            self.keyword(cmd)
        else:
            self.reask(self.t("delete-cancelled"))

    # --- IDEA -------------------------------------------------------------------------------

    def idea(self, text: str) -> None:
        """IDEA <a short statement>: proposed for others to agree or disagree with, once a
        facilitator approves it. IDEA alone asks for it."""
        if not self.p.consented:
            self.reask(self.t("idea-consent-first"))
        elif not replies.has_content(text):
            self.p = self.p.with_(pending="idea")
            self.say(self.t("idea-ask", max=MAX_STATEMENT), Question("text", self.next_seq(), asks=Asks("idea")))
        else:
            self.propose(text)

    def propose(self, text: str) -> None:
        text = " ".join(text.split())
        if not replies.has_content(text) or len(text) > MAX_STATEMENT:
            self.fact(Refused("invalid"))
            self.p = self.p.with_(pending="idea")
            question = Question("text", self.next_seq(), asks=Asks("idea"))
            self.say(self.t("idea-too-long", max=MAX_STATEMENT, length=len(text)), question)
            return
        self.out.proposals.append(Proposal(text, self.p.language))
        self.fact(Recorded(Asks("idea")))
        self.p = self.p.with_(pending=None)
        self.reask(self.t("idea-thanks"))

    # --- LANG -------------------------------------------------------------------------------

    def ask_language(self, prefix: str = "") -> None:
        langs = self.ctx.tr.languages
        options = tuple(Option(lang, self.ctx.tr.name_of(lang)) for lang in langs)
        self.next_seq()
        question = Question("language", self.p.seq, options, asks=Asks("language"))
        self.say(joined(prefix, self.t("choose-language")), question)

    def set_language(self, lang: str) -> None:
        self.p = self.p.with_(language=lang, language_explicit=True, pending=None)
        self.reask(self.t("language-set"))

    def answer_language(self, text: str, picks: tuple[int, ...] | None, seq: int | None) -> None:
        langs = self.ctx.tr.languages
        if seq is not None and seq != self.p.seq:
            self.fact(Refused("closed"))
            self.say(self.t("question-closed"))
            return
        if picks is not None:
            idx = picks[0] if len(picks) == 1 else None
        else:
            names = [[lang, self.ctx.tr.name_of(lang)] for lang in langs]
            idx = replies.choice(text, names, self.ctx.tr.lexicon)
            if idx is None and (named := self.language_named(text)) is not None:
                idx = langs.index(named)
        if idx is None or not 0 <= idx < len(langs):
            self.fact(Refused("invalid"))
            self.ask_language(self.t("reprompt-choice", max=len(langs)))
            return
        self.fact(Recorded(Asks("language"), (self.ctx.tr.name_of(langs[idx]),)))
        self.set_language(langs[idx])

    # --- MYDATA -----------------------------------------------------------------------------

    def my_data(self) -> str:
        """What is stored about them, in their language (profile answers as labels)."""
        parts = []
        for name, value in sorted(self.p.profile.items()):
            label = self.t(f"profile-{name}") if self.ctx.tr.has("en", f"profile-{name}") else name
            parts.append(f"{label}: {self.profile_label(name, value)}")
        return self.t(
            "mydata",
            id=self.p.id,
            language=self.ctx.tr.name_of(self.p.language),
            consent=self.t("yes" if self.p.consented else "no"),
            profile=", ".join(parts) or "-",
            answers=self.ctx.answer_count,
        )

    def profile_label(self, name: str, value: str) -> str:
        for flow in self.ctx.flows.values():
            for step in flow.steps:
                if step.save == f"profile.{name}" and value in step.option_values():
                    return self.t(f"{flow.id}-{step.id}-{value}")
        return value
