"""Login tickets; practice history; session description, organiser and JP hours; certificate number and frozen details.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

from netral.store.schema import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("training_sessions") as batch:
        batch.add_column(sa.Column("description", sa.String(500), nullable=False, server_default=""))
        batch.add_column(sa.Column("organiser", sa.String(200), nullable=False, server_default=""))
        batch.add_column(sa.Column("jp_hours", sa.Integer(), nullable=True))
    with op.batch_alter_table("certificates") as batch:
        batch.add_column(sa.Column("number", sa.String(60), nullable=False, server_default=""))
        batch.add_column(sa.Column("details", sa.JSON(), nullable=False, server_default="{}"))
    op.create_table(
        "practice_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("scenario_id", sa.String(80), nullable=False),
        sa.Column("category_id", sa.String(80), nullable=False),
        sa.Column("choice", sa.JSON(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE",
                                name="fk_practice_records_user_id_users"),
        sa.PrimaryKeyConstraint("id", name="pk_practice_records"),
    )
    op.create_index("ix_practice_records_user_at", "practice_records", ["user_id", "at"])
    op.create_table(
        "login_tickets",
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("used_at", UTCDateTime(), nullable=True),
        sa.Column("browser_binding", sa.String(64), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE",
                                name="fk_login_tickets_user_id_users"),
        sa.PrimaryKeyConstraint("token_hash", name="pk_login_tickets"),
    )


def downgrade() -> None:
    op.drop_table("login_tickets")
    op.drop_index("ix_practice_records_user_at", table_name="practice_records")
    op.drop_table("practice_records")
    with op.batch_alter_table("certificates") as batch:
        batch.drop_column("details")
        batch.drop_column("number")
    with op.batch_alter_table("training_sessions") as batch:
        batch.drop_column("jp_hours")
        batch.drop_column("organiser")
        batch.drop_column("description")
