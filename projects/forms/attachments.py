"""Uploading a PDF to a proposal. The file field belongs to the proposal form (``form="proposal-form"``), so the
upload button posts the typed answers with the file and they are saved first."""

from django import forms
from django.conf import settings

from projects.domain.attachments import check_pdf, too_large_error


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label="PDF file",
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf", "form": "proposal-form"}),
    )

    def __init__(self, *args, label="PDF file", prefix=None, too_large=None, no_room=None, refused=None, **kwargs):
        super().__init__(*args, prefix=prefix, **kwargs)
        self.refused = refused  # why the file was not even looked at (the answers posted with it were not saved)
        self.too_large = too_large  # the name of a file the upload handler stopped at the size limit
        self.no_room = no_room  # why the proposal cannot take the file (projects.domain.attachments.files_problem)
        self.fields["file"].label = label
        self.fields["file"].help_text = f"PDF only, at most {settings.FILE_UPLOAD_MAX_MB} MB."

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        if self.no_room:  # not even opened: it would not be kept
            raise forms.ValidationError(self.no_room, code="too_many_files")
        self.page_count = check_pdf(uploaded)
        return uploaded

    def clean(self):
        if self.refused:
            self._errors.pop("file", None)
            self.add_error("file", self.refused)
        elif self.too_large:
            self._errors.pop("file", None)  # "required": the handler dropped the file for its size
            self.add_error("file", too_large_error(self.too_large))
        return super().clean()
