"""The repeated pieces of the catalogue and of "Meine Bildungsmaßnahmen".

Each tag renders its partial through portal.fragments, keyed by every value
the partial shows; see there why.
"""

from django import template
from django.template.loader import get_template

from portal.fragments import Fragments

register = template.Library()

_cards = Fragments("courses/partials/course_card.html")
_rows = Fragments("courses/partials/enrollment_row.html")
_search_forms = Fragments("courses/partials/search_form.html", size=300)
_results = Fragments("courses/partials/catalogue_results.html", size=300)


@register.simple_tag(takes_context=True)
def catalogue_results(context):
    """The catalogue's form, hits and pages, kept by the key of catalogue."""
    key = context.get("results_key")
    if key is None:
        return get_template(_results.template_name).render(
            context.flatten(), context.request
        )
    return _results.render(key, context.flatten(), context.request)


def forget_catalogue_results():
    _results.clear()


@register.simple_tag
def search_form(form):
    """The catalogue's search form: the same for the same query and choices."""
    key = (
        form.is_bound,
        tuple((name, tuple(form.data.getlist(name))) for name in form.fields)
        if form.is_bound
        else (),
        *(
            tuple((str(value), str(label)) for value, label in field.choices)
            for field in form.fields.values()
            if hasattr(field, "choices")
        ),
    )
    return _search_forms.render(key, {"form": form})


def _course_shown(course):
    """What both a card and a row show of a course."""
    return (
        course.pk,
        course.number,
        course.title,
        course.starts_at,
        course.ends_at,
        course.format,
        course.town,
    )


@register.simple_tag
def course_card(course):
    key = (
        *_course_shown(course),
        course.canceled_at,
        course.capacity,
        course.count_seats_taken(),
        course.count_waitlisted(),
    )
    return _cards.render(key, {"course": course})


@register.simple_tag
def enrollment_row(enrollment):
    course = enrollment.course
    key = (
        enrollment.pk,
        enrollment.status,
        getattr(enrollment, "waitlist_rank", None),
        # Depends on the time: whether the course has begun.
        enrollment.cancel_refusal(),
        *_course_shown(course),
        course.venue,
    )
    return _rows.render(key, {"enrollment": enrollment, "course": course})
