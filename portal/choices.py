from django.db import models
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable


class ChoiceLabelsModel(models.Model):
    """A model whose ``get_<field>_display()`` looks the label up in a table built once per field
    (and rebuilt if its choices are replaced), where Django's rebuilds it at every call: a list of
    ten meetings showed two labels each, twenty tables built per page. The same label, translated
    when shown."""

    class Meta:
        abstract = True

    def _get_FIELD_display(self, field):
        choices = field.choices
        cached = field.__dict__.get("_precinct_labels")
        if cached is None or cached[0] is not choices:
            cached = (choices, dict(make_hashable(field.flatchoices)))
            field.__dict__["_precinct_labels"] = cached
        value = getattr(self, field.attname)
        try:
            label = cached[1].get(value, value)
        except TypeError:  # an unhashable value (a list): Django's way
            label = cached[1].get(make_hashable(value), value)
        return force_str(label, strings_only=True)
