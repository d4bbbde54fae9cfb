"""sms spend: outbound SMS segments per pseudonym, for the daily caps

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 12:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sms_spend",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("conversation_id", sa.String(length=64), nullable=True),
        sa.Column("segments", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=8), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_sms_spend_sent_at", "sms_spend", ["sent_at"])
    op.create_index("ix_sms_spend_conversation", "sms_spend", ["conversation_id", "sent_at"])
    op.create_index("ix_inbox_conversation_received", "inbox_messages", ["conversation_id", "received_at"])


def downgrade() -> None:
    op.drop_index("ix_inbox_conversation_received", table_name="inbox_messages")
    op.drop_index("ix_sms_spend_conversation", table_name="sms_spend")
    op.drop_index("ix_sms_spend_sent_at", table_name="sms_spend")
    op.drop_table("sms_spend")
