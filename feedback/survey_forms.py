"""The survey form, built from a questionnaire version's questions: one NHS.UK radios fieldset
for each 1 to 5 scale, yes/no and Friends and Family Test question, a text box for free text.

Each field is named by its question's code, so the answers come back keyed by code. Lengths
are checked on the server with a clear message rather than cut off by `maxlength`.
"""

from django import forms

from feedback.models import ANSWER_CHOICES, QuestionKind

TEXT_LIMIT = 2000


def _error_for(question) -> str:
    if question.kind == QuestionKind.SCALE:
        return f"Select how much you agree or disagree with: {question.text}"
    if question.kind == QuestionKind.YES_NO:
        return f"Select yes or no: {question.text}"
    return f"Select an answer: {question.text}"


class SurveyForm(forms.Form):
    def __init__(self, *args, questions, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        for question in self.questions:
            self.fields[question.code] = self._field_for(question)

    @staticmethod
    def _field_for(question):
        if question.kind == QuestionKind.TEXT:
            return forms.CharField(
                label=question.text,
                help_text=question.hint,
                required=question.required,
                widget=forms.Textarea(attrs={"rows": 5}),
                error_messages={"required": f"Enter an answer: {question.text}"},
            )
        message = _error_for(question)
        return forms.TypedChoiceField(
            label=question.text,
            help_text=question.hint,
            required=question.required,
            choices=ANSWER_CHOICES[question.kind],
            coerce=int,
            empty_value=None,
            widget=forms.RadioSelect,
            error_messages={"required": message, "invalid_choice": message},
        )

    def clean(self):
        cleaned = super().clean()
        for question in self.questions:
            if question.kind != QuestionKind.TEXT or question.code not in cleaned:
                continue
            text = cleaned[question.code].strip()
            if len(text) > TEXT_LIMIT:
                self.add_error(
                    question.code,
                    f"Your answer must be {TEXT_LIMIT:,} characters or fewer"
                    f" (you have entered {len(text):,})",
                )
            else:
                cleaned[question.code] = text
        return cleaned

    def answers(self) -> dict:
        """The answers by question code: whole numbers for choices, text for free text."""
        return {question.code: self.cleaned_data.get(question.code) for question in self.questions}
