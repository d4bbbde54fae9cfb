"""staff accounts: console sign-in for responders (password hash, sealed TOTP secret, invitation)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 16:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "staff_accounts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("responder_id", sa.Integer(), sa.ForeignKey("responders.id"), nullable=True),
        sa.Column("password_hash", sa.String(length=200), nullable=True),
        sa.Column("sealed_totp_secret", sa.Text(), nullable=True),
        sa.Column("totp_last_step", sa.Integer(), nullable=True),
        sa.Column("invite_token_hash", sa.String(length=64), nullable=True),
        sa.Column("invite_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("activated_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("responder_id"),
    )
    op.create_index("ix_staff_accounts_invite_token_hash", "staff_accounts", ["invite_token_hash"])


def downgrade() -> None:
    op.drop_index("ix_staff_accounts_invite_token_hash", table_name="staff_accounts")
    op.drop_table("staff_accounts")
