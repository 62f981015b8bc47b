"""Initial schema: users, training sessions, enrolments, attempts, answers, certificates, audit log.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

from netral.store.schema import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("login", sa.String(120), nullable=False),
        sa.Column("nip", sa.String(18), nullable=True),
        sa.Column("email", sa.String(254), nullable=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("unit", sa.String(200), nullable=False),
        sa.Column("position", sa.String(200), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("password_hash", sa.String(200), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
        sa.UniqueConstraint("login", name="uq_users_login"),
        sa.UniqueConstraint("nip", name="uq_users_nip"),
        sa.UniqueConstraint("email", name="uq_users_email"),
    )
    op.create_table(
        "training_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("quiz_ids", sa.JSON(), nullable=False),
        sa.Column("opens_at", UTCDateTime(), nullable=False),
        sa.Column("closes_at", UTCDateTime(), nullable=False),
        sa.Column("pass_mark", sa.Float(), nullable=True),
        sa.Column("attempts_allowed", sa.Integer(), nullable=True),
        sa.Column("join_code", sa.String(16), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"], name="fk_training_sessions_owner_id_users"),
        sa.PrimaryKeyConstraint("id", name="pk_training_sessions"),
        sa.UniqueConstraint("join_code", name="uq_training_sessions_join_code"),
    )
    op.create_table(
        "session_trainers",
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["session_id"], ["training_sessions.id"], ondelete="CASCADE",
                                name="fk_session_trainers_session_id_training_sessions"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE",
                                name="fk_session_trainers_user_id_users"),
        sa.PrimaryKeyConstraint("session_id", "user_id", name="pk_session_trainers"),
    )
    op.create_table(
        "enrolments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("enrolled_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["session_id"], ["training_sessions.id"], ondelete="CASCADE",
                                name="fk_enrolments_session_id_training_sessions"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE", name="fk_enrolments_user_id_users"),
        sa.PrimaryKeyConstraint("id", name="pk_enrolments"),
        sa.UniqueConstraint("session_id", "user_id", name="uq_enrolments_session_user"),
    )
    op.create_index("ix_enrolments_user_id", "enrolments", ["user_id"])
    op.create_table(
        "attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("quiz_id", sa.String(80), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=True),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column("plan", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("deadline_at", UTCDateTime(), nullable=False),
        sa.Column("submitted_at", UTCDateTime(), nullable=True),
        sa.Column("pass_mark", sa.Float(), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("passed", sa.Boolean(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_attempts_user_id_users"),
        sa.ForeignKeyConstraint(["session_id"], ["training_sessions.id"],
                                name="fk_attempts_session_id_training_sessions"),
        sa.PrimaryKeyConstraint("id", name="pk_attempts"),
    )
    op.create_index("ix_attempts_user_quiz", "attempts", ["user_id", "quiz_id"])
    op.create_index("ix_attempts_session_status", "attempts", ["session_id", "status"])
    op.create_table(
        "answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("attempt_id", sa.Integer(), nullable=False),
        sa.Column("scenario_id", sa.String(80), nullable=False),
        sa.Column("choice", sa.JSON(), nullable=False),
        sa.Column("facet_scores", sa.JSON(), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("answered_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["attempt_id"], ["attempts.id"], ondelete="CASCADE",
                                name="fk_answers_attempt_id_attempts"),
        sa.PrimaryKeyConstraint("id", name="pk_answers"),
        sa.UniqueConstraint("attempt_id", "scenario_id", name="uq_answers_attempt_scenario"),
    )
    op.create_table(
        "certificates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("attempt_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("issued_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["attempt_id"], ["attempts.id"], name="fk_certificates_attempt_id_attempts"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_certificates_user_id_users"),
        sa.PrimaryKeyConstraint("id", name="pk_certificates"),
        sa.UniqueConstraint("attempt_id", name="uq_certificates_attempt_id"),
        sa.UniqueConstraint("code", name="uq_certificates_code"),
    )
    op.create_index("ix_certificates_user_id", "certificates", ["user_id"])
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(60), nullable=False),
        sa.Column("target", sa.String(200), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"], name="fk_audit_log_actor_id_users"),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])


def downgrade() -> None:
    for table in ("audit_log", "certificates", "answers", "attempts", "enrolments", "session_trainers",
                  "training_sessions", "users"):
        op.drop_table(table)
