"""Plain practice items imported from Moodle files.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

from netral.store.schema import UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "imported_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(200), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("item", sa.JSON(), nullable=False),
        sa.Column("imported_by", sa.Integer(), nullable=True),
        sa.Column("imported_at", UTCDateTime(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["imported_by"], ["users.id"], ondelete="SET NULL",
                                name="fk_imported_items_imported_by_users"),
        sa.PrimaryKeyConstraint("id", name="pk_imported_items"),
    )


def downgrade() -> None:
    op.drop_table("imported_items")
