from django import forms

from webhooks.models import Event, Subscription


class SubscriptionForm(forms.ModelForm):
    url = forms.URLField(
        label="URL", max_length=2000, assume_scheme="https",
        widget=forms.URLInput(attrs={"placeholder": "https://example.com/hooks/baton"}),
        help_text="Where deliveries are POSTed: http or https.",
    )
    events = forms.MultipleChoiceField(
        choices=[(value, f"{value}: {label}") for value, label in Event.choices],
        widget=forms.CheckboxSelectMultiple,
        help_text="instance.failed comes with every incident opened on an instance, such as "
        "an error end event nothing catches or a service task out of retries.",
    )

    class Meta:
        model = Subscription
        fields = ["url", "events", "definition_key"]
        widgets = {
            "definition_key": forms.TextInput(attrs={"list": "process-keys"}),
        }
