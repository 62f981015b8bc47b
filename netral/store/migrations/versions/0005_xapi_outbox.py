"""xAPI outbox: statements waiting for delivery to a Learning Record Store (optional, off by default).

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

from netral.store.schema import UTCDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "xapi_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("statement_id", sa.String(36), nullable=False),
        sa.Column("statement", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("tries", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=False),
        sa.Column("claim_token", sa.String(32), nullable=True),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.Column("last_error", sa.String(500), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_xapi_outbox"),
        sa.UniqueConstraint("statement_id", name="uq_xapi_outbox_statement_id"),
    )
    op.create_index("ix_xapi_outbox_status_next", "xapi_outbox", ["status", "next_attempt_at"])


def downgrade() -> None:
    op.drop_index("ix_xapi_outbox_status_next", table_name="xapi_outbox")
    op.drop_table("xapi_outbox")
