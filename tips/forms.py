from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from neighbourhoods.models import Neighbourhood
from portal.text import TextCleaningFormMixin
from portal.translated import TranslatedModelChoiceField, TranslatedSelect
from tips.attachments import MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS, MAX_IMAGE_PIXELS, MAX_PDF_PAGES
from tips.models import TipCategory


def _files_help() -> str:
    return _(
        "Up to %(count)s photos (JPEG, PNG, GIF, WebP, up to %(megapixels)s megapixels) or PDF documents (up to "
        "%(pages)s pages), %(size)s MB each. We keep only what they look like: photos are redrawn from their "
        "pixels, and each PDF page is turned into a picture, so hidden data (location, device, author, "
        "hidden text, links) is gone, and a PDF's text can no longer be selected or searched. Other kinds of "
        "file are refused."
    ) % {
        "count": MAX_ATTACHMENTS,
        "size": MAX_ATTACHMENT_BYTES // (1024 * 1024),
        "megapixels": MAX_IMAGE_PIXELS // 1_000_000,
        "pages": MAX_PDF_PAGES,
    }


# Lazy, so the text is translated into each visitor's language, not the one active at import.
_FILES_HELP = lazy(_files_help, str)()

# Nothing typed into a tip form may stay in the browser's form history, where the next person at
# the device would be offered it ("the laundromat on 5th" when typing an address elsewhere).
NO_HISTORY = {"autocomplete": "off"}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented recipe): their number and sizes are checked here,
    before anything is read; what they hold is checked by the service."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget",
            MultipleFileInput(
                attrs={"accept": "image/jpeg,image/png,image/gif,image/webp,application/pdf", **NO_HISTORY}
            ),
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        if len(files) > MAX_ATTACHMENTS:
            raise forms.ValidationError(
                _("You can send at most %(count)s files at a time.") % {"count": MAX_ATTACHMENTS}
            )
        cleaned = [super(MultipleFileField, self).clean(file, initial) for file in files]
        # Refused by its size, known without reading it: a huge upload is never read into memory.
        for file in cleaned:
            if file.size > MAX_ATTACHMENT_BYTES:
                raise forms.ValidationError(
                    _("“%(name)s” is larger than %(limit)s MB. Send a smaller file.")
                    % {"name": file.name, "limit": MAX_ATTACHMENT_BYTES // (1024 * 1024)}
                )
        return cleaned


class HoneypotInput(forms.TextInput):
    """A text box rendered with the hidden fields (no label block) and hidden by CSS (.tip-extra-field)."""

    is_hidden = True

    def __init__(self, attrs=None):
        super().__init__(
            {
                "class": "tip-extra-field",
                "autocomplete": "off",
                "tabindex": "-1",
                "aria-label": _("Leave this field empty"),
            }
        )


class _TokenFields(TextCleaningFormMixin, forms.Form):
    """The single-use form token and the honeypot every tipster form carries."""

    # Not "required": a missing token is refused by the service with a message the tipster can see.
    form_token = forms.CharField(widget=forms.HiddenInput(attrs=NO_HISTORY), required=False)
    # The honeypot: hidden by CSS, so people never fill it; form-filling robots do.
    website = forms.CharField(label=_("Leave this field empty"), required=False, widget=HoneypotInput)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("website"):
            # A form-wide error: the field itself is not shown, so its own error would not be either.
            raise forms.ValidationError(_("Please leave the field “Leave this field empty” empty."))
        return cleaned


class TipForm(_TokenFields):
    # Named in the visitor's language; an untranslated name is marked lang="en".
    category = TranslatedModelChoiceField(
        label=_("What is it about?"),
        queryset=TipCategory.objects.filter(is_active=True),
        label_field="name",
        empty_label=_("Choose one"),
        widget=TranslatedSelect(attrs=NO_HISTORY),
    )
    what = forms.CharField(
        label=_("What happened?"),
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 8, **NO_HISTORY}),
        help_text=_("Describe what you saw or know. Leave out anything that would tell who you are."),
    )
    where = forms.CharField(
        label=_("Where?"),
        max_length=500,
        required=False,
        widget=forms.TextInput(attrs=NO_HISTORY),
        help_text=_("An address, a corner or a landmark, as precise as you can."),
    )
    neighbourhood = forms.ModelChoiceField(
        label=_("Neighbourhood"),
        queryset=Neighbourhood.objects.all(),
        required=False,
        empty_label=_("Not sure"),
        widget=forms.Select(attrs=NO_HISTORY),
    )
    when = forms.CharField(
        label=_("When?"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs=NO_HISTORY),
        help_text=_("Approximate is fine: “last Friday night”, “most evenings since May”."),
    )
    files = MultipleFileField(label=_("Photos or documents"), required=False, help_text=_FILES_HELP)

    field_order = ["category", "what", "where", "neighbourhood", "when", "files", "website", "form_token"]


class ReceiptForm(forms.Form):
    phrase = forms.CharField(
        label=_("Your receipt phrase"),
        max_length=200,
        widget=forms.TextInput(attrs={**NO_HISTORY, "autocapitalize": "none", "spellcheck": "false"}),
        help_text=_("The words you were given when you sent your tip, in order."),
    )


class FollowUpForm(_TokenFields):
    access = forms.CharField(widget=forms.HiddenInput(attrs=NO_HISTORY), required=False)  # checked by the view first
    text = forms.CharField(
        label=_("Your answer or more information"),
        max_length=10_000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, **NO_HISTORY}),
    )
    files = MultipleFileField(label=_("More photos or documents"), required=False, help_text=_FILES_HELP)

    field_order = ["text", "files", "website", "form_token", "access"]

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("text") and not cleaned.get("files") and not self.errors:
            raise forms.ValidationError(_("Write something or choose a file to send."))
        return cleaned
