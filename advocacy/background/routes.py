"""The self-polling progress fragment of a long job."""

from flask import Blueprint, abort
from flask_login import current_user

from advocacy.background.service import get_job_run
from advocacy.web.htmx import render

bp = Blueprint("background", __name__)


@bp.get("/jobs/<int:run_id>")
def job_status(run_id: int):
    """A job's progress; the fragment polls itself until the job has finished."""
    run = get_job_run(run_id, owner_id=None if current_user.is_admin else current_user.id)
    if run is None:
        abort(404)
    return render("background/job.html", "background/_progress.html", run=run)
