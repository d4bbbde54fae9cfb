"""crisis alerts: the contact vault's purpose, the outbox's priority

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 19:10:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("contact_vault") as batch:
        batch.add_column(sa.Column("purpose", sa.String(length=16), nullable=True, server_default="followup"))
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("priority", sa.Integer(), nullable=True, server_default="1"))
        batch.create_index("ix_outbox_priority", ["status", "priority", "id"])


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_index("ix_outbox_priority")
        batch.drop_column("priority")
    with op.batch_alter_table("contact_vault") as batch:
        batch.drop_column("purpose")
