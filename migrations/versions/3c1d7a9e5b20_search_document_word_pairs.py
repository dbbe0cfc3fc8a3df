"""search_document.search_pairs: neighbouring words as pair lexemes, for fast phrases

Revision ID: 3c1d7a9e5b20
Revises: 4f0e2e3a42a0
Create Date: 2026-11-26 03:20:00.000000

"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision = "3c1d7a9e5b20"
down_revision = "4f0e2e3a42a0"
branch_labels = None
depends_on = None

# The pairs of the rows already indexed (the backend writes them for new rows; the same SQL as
# advocacy.search.backends.postgres.sql._PAIRS, copied: a migration must not change with it).
FILL_PAIRS = """UPDATE search_document SET search_pairs = array_to_tsvector(ARRAY(
    SELECT DISTINCT a.lexeme || ' ' || b.lexeme
    FROM (SELECT lexeme, unnest(positions) AS at FROM unnest(search_vector)) AS a
    JOIN (SELECT lexeme, unnest(positions) AS at FROM unnest(search_vector)) AS b
    ON b.at = a.at + 1))
WHERE search_vector IS NOT NULL"""


def upgrade():
    with op.batch_alter_table("search_document", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "search_pairs",
                sa.Text().with_variant(postgresql.TSVECTOR(), "postgresql"),
                nullable=True,
            )
        )
        batch_op.create_index(
            "ix_search_document_search_pairs",
            ["search_pairs"],
            unique=False,
            postgresql_using="gin",
        )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(FILL_PAIRS)


def downgrade():
    with op.batch_alter_table("search_document", schema=None) as batch_op:
        batch_op.drop_index("ix_search_document_search_pairs")
        batch_op.drop_column("search_pairs")
