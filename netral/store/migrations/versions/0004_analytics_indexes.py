"""Analytics indexes: finished attempts of one quiz across sessions (item analysis over every visible session).

Revision ID: 0004
Revises: 0003
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_attempts_quiz_status", "attempts", ["quiz_id", "status"])


def downgrade() -> None:
    op.drop_index("ix_attempts_quiz_status", table_name="attempts")
