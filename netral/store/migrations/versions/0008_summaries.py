"""Summaries written when an attempt starts or is submitted: `quiz_progress` (one row per person, session and
quiz) and `mastery_cells` (answer sums per session, quiz, unit and scenario). The dashboards read these
instead of every attempt and answer; existing data is summed up here. Also a partial index on the attempts in
progress, which the completion report's "last activity" reads.

The item-analysis marks need the content, which a migration does not load: they are filled by the next
submission of each quiz, or at once by `python -m netral db summaries`. Until then the item analysis reads
the answers, as before.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

from netral.store.schema import UTCDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "quiz_progress",
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("quiz_id", sa.String(80), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("finished_count", sa.Integer(), nullable=False),
        sa.Column("passed_any", sa.Boolean(), nullable=False),
        sa.Column("best_score", sa.Float(), nullable=True),
        sa.Column("last_started", UTCDateTime(), nullable=True),
        sa.Column("last_submitted", UTCDateTime(), nullable=True),
        sa.Column("first_attempt_id", sa.Integer(), nullable=True),
        sa.Column("first_score", sa.Float(), nullable=True),
        sa.Column("first_passed", sa.Boolean(), nullable=True),
        sa.Column("first_submitted_at", UTCDateTime(), nullable=True),
        sa.Column("first_marks", sa.LargeBinary(), nullable=True),
        sa.Column("marks_layout", sa.String(40), nullable=True),
        sa.Column("cells_unit", sa.String(200), nullable=True),
        sa.ForeignKeyConstraint(["session_id"], ["training_sessions.id"], ondelete="CASCADE",
                                name="fk_quiz_progress_session_id_training_sessions"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE",
                                name="fk_quiz_progress_user_id_users"),
        sa.ForeignKeyConstraint(["first_attempt_id"], ["attempts.id"], ondelete="SET NULL",
                                name="fk_quiz_progress_first_attempt_id_attempts"),
        sa.PrimaryKeyConstraint("session_id", "user_id", "quiz_id", name="pk_quiz_progress"),
    )
    op.create_table(
        "mastery_cells",
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("quiz_id", sa.String(80), nullable=False),
        sa.Column("unit", sa.String(200), nullable=False),
        sa.Column("scenario_id", sa.String(80), nullable=False),
        sa.Column("total", sa.Float(), nullable=False),
        sa.Column("answers", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["session_id"], ["training_sessions.id"], ondelete="CASCADE",
                                name="fk_mastery_cells_session_id_training_sessions"),
        sa.PrimaryKeyConstraint("session_id", "quiz_id", "unit", "scenario_id", name="pk_mastery_cells"),
    )
    op.create_index("ix_attempts_in_progress", "attempts", ["session_id", "quiz_id"],
                    sqlite_where=sa.text("status = 'in_progress'"), postgresql_where=sa.text("status = 'in_progress'"))
    # Sum up what is there. The rebuild is the app's own (one definition of the summaries); it only writes
    # the columns created above.
    from netral.store.summaries import rebuild

    rebuild(op.get_bind())


def downgrade() -> None:
    op.drop_index("ix_attempts_in_progress", table_name="attempts")
    op.drop_table("mastery_cells")
    op.drop_table("quiz_progress")
