"""queue indexes: every column the queue reads of an open case, and the cases referred to a
responder with the referral's status, so that the queue's count, its page and the banner's
count are read from indexes alone

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 20:00:00

"""

from collections.abc import Sequence

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

QUEUE_COLUMNS = ["closed_at", "ack_deadline_at", "severity", "created_at", "acknowledged_at", "school_id", "id"]


def upgrade() -> None:
    op.create_index("ix_cases_queue", "cases", QUEUE_COLUMNS)
    op.drop_index("ix_cases_closed_deadline", table_name="cases")
    op.create_index("ix_referrals_responder_access", "referrals", ["responder_id", "status", "case_id"])
    op.drop_index("ix_referrals_responder_id", table_name="referrals")


def downgrade() -> None:
    op.create_index("ix_referrals_responder_id", "referrals", ["responder_id"])
    op.drop_index("ix_referrals_responder_access", table_name="referrals")
    op.create_index("ix_cases_closed_deadline", "cases", ["closed_at", "ack_deadline_at"])
    op.drop_index("ix_cases_queue", table_name="cases")
