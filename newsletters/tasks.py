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


@shared_task(acks_late=True)
def request_subscription(email: str, topics: list[str], neighbourhood_ids: list[int], language: str) -> int:
    """The subscribe form's work, done away from the request so its answer time tells nothing."""
    subscription = services.subscription_request(
        email=email, topics=topics, neighbourhoods=neighbourhood_ids, language=language
    )
    return subscription.pk
