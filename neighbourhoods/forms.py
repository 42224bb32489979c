from django import forms
from django.forms.models import ModelChoiceIterator


class _FetchedChoices(ModelChoiceIterator):
    """The choices from one plain query: ``iterator()``, Django's way, opens a server-side cursor on
    PostgreSQL (DECLARE, FETCH, CLOSE), three round trips for a list as short as the neighbourhoods."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset:
            yield self.choice(obj)


class NeighbourhoodChoiceField(forms.ModelChoiceField):
    """A choice of neighbourhood (or any short list of rows), its options read in one plain query."""

    iterator = _FetchedChoices
