"""E-mail to people outside the organisation (candidates), over SMTP, from Jinja2 templates."""

from worksample.notify.mail import EmailMessageSpec, MailError, send_email
from worksample.notify.templates import render_email

__all__ = ["EmailMessageSpec", "MailError", "render_email", "send_email"]
