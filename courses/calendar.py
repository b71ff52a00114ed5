"""Calendar files (.ics) attached to the mails about a course."""

from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event

from accounts.mail import absolute_url

ICS_MIMETYPE = "text/calendar"
ICS_FILE_NAME = "veranstaltung.ics"


def _event_uid(enrollment):
    # One event per enrolment, so that the cancelling file removes exactly
    # the entry the confirming file created.
    host = urlsplit(settings.PORTAL_BASE_URL).hostname or "bildungsportal"
    return f"enrollment-{enrollment.pk}@{host}"


def enrollment_ics(enrollment, *, canceled=False):
    """Return an (file name, text, MIME type) attachment for the enrolment.

    A confirmed place gets an event to publish; a cancelled one the same
    event with METHOD:CANCEL and a higher sequence, which calendars apply
    to the entry they already hold.
    """
    course = enrollment.course
    calendar = Calendar()
    calendar.add("prodid", "-//Bildungsportal//DE")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if canceled else "PUBLISH")

    event = Event()
    event.add("uid", _event_uid(enrollment))
    event.add("dtstamp", timezone.now())
    event.add("sequence", 1 if canceled else 0)
    event.add("status", "CANCELLED" if canceled else "CONFIRMED")
    event.add("dtstart", course.starts_at)
    event.add("dtend", course.ends_at)
    event.add("summary", f"{course.number} {course.title}")
    event.add("location", ", ".join(filter(None, [course.venue, course.town])))
    event.add("url", absolute_url(course.get_absolute_url()))
    event.add("organizer", f"mailto:{settings.PORTAL_TRAINING_OFFICE_EMAIL}")
    calendar.add_component(event)

    return (ICS_FILE_NAME, calendar.to_ical().decode(), ICS_MIMETYPE)
