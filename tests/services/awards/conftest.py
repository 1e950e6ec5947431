from django.core.files.uploadedfile import SimpleUploadedFile

from portal.actors import actor_for_user

PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 100


def png(name="proof.png", content=PNG):
    return SimpleUploadedFile(name, content, content_type="image/png")


def member_actor(member):
    member.refresh_from_db()
    return actor_for_user(member.user)


