from django import forms

from media import processing, services
from media.models import Image

ACCEPT = "image/jpeg,image/png,image/webp,image/avif,image/heic,image/heif,.heic,.heif,.avif"


class ImageUploadForm(forms.ModelForm):
    """A new picture for the library: the file is checked by decoding it (clean_upload)
    and stored only once the whole form is valid (is_valid), so a refusal at any field
    leaves nothing behind, and a storage failure is an error at the file's field."""

    upload = forms.FileField(
        label="Picture",
        # Empty files get our own message, as every other refusal does.
        allow_empty_file=True,
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
        help_text="JPEG, PNG, WebP, AVIF or HEIC. Location and camera data are removed.",
    )

    class Meta:
        model = Image
        fields = ("title", "alt_text", "caption", "credit", "focal_x", "focal_y")

    prepared: processing.Prepared | None = None
    stored_name: str | None = None

    def clean_upload(self):
        upload = self.cleaned_data["upload"]
        self.prepared = processing.prepare(upload)
        existing = Image.objects.filter(content_hash=self.prepared.content_hash).first()
        if existing is not None:
            raise forms.ValidationError(services.DUPLICATE_MESSAGE.format(title=existing.title))
        return upload

    def is_valid(self):
        if not super().is_valid():
            return False
        if self.stored_name is None:
            try:
                self.stored_name = services.image_file_store(
                    prepared=self.prepared, title=self.cleaned_data["title"]
                )
            except services.StorageUnavailable as error:
                self.add_error("upload", error)
                return False
        return True
