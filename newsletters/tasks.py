from celery import shared_task

from newsletters import digest, services


@shared_task(acks_late=True)
def fan_out_newsletter(newsletter_id: int) -> int:
    return services.newsletter_fan_out(newsletter_id=newsletter_id)


@shared_task
def resume_newsletters() -> dict[str, int]:
    return services.newsletters_resume()


@shared_task(acks_late=True)
def send_weekly_digests() -> int:
    return digest.digests_send()
