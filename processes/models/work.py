"""What people add to a task while they work on it: comments and attached files."""

from django.db import models
from django.utils import timezone

from processes.models.runtime import Task


class TaskComment(models.Model):
    """A note on a task, kept after the task closes."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="comments")
    # User names, as on Task: the record stays readable if the account is deleted.
    author = models.CharField(max_length=150)
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.author} on task {self.task_id}: {self.text[:40]}"


def attachment_path(attachment, filename: str) -> str:
    """Store a task's files together; the storage renames a file whose name is taken."""
    return f"tasks/{attachment.task_id}/{filename}"


class TaskAttachment(models.Model):
    """A file attached to a task, stored through Django's default storage."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="attachments")
    uploaded_by = models.CharField(max_length=150)
    file = models.FileField(upload_to=attachment_path, max_length=255)
    name = models.CharField(max_length=255, help_text="The file's name as uploaded")
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.name} on task {self.task_id}"
