"""PostgreSQL cursors for prepared statements that outlive a schema change.

With prepared statements on (``DATABASE_PREPARED_STATEMENTS``), a
connection keeps the plans of the statements it sends often. When a
release changes the type of a column such a statement reads (an
``AlterField`` that changes a ``max_length``, say) while the old version
still serves, PostgreSQL refuses the kept plan ("cached plan must not
change result type") on every connection that holds one: every signed-in
request failed until the connections were replaced, up to
``DATABASE_CONN_MAX_AGE`` later. This cursor has the connection forget its
prepared statements and sends the statement once more. Inside a
transaction, which the failure has spoilt, it cannot: that request fails,
and the transaction's rollback makes psycopg forget them before the next.
"""

from django.db.backends.postgresql.base import ServerBindingCursor
from psycopg import errors
from psycopg.pq import TransactionStatus

STALE_PLAN = "cached plan must not change result type"


class PreparedStatementCursor(ServerBindingCursor):
    def execute(self, query, params=None, **kwargs):
        try:
            return super().execute(query, params, **kwargs)
        except errors.FeatureNotSupported as error:
            idle = self.connection.info.transaction_status == TransactionStatus.IDLE
            if STALE_PLAN not in str(error) or not idle:
                raise
        # psycopg forgets its prepared statements when it sees this command.
        self.connection.execute("DEALLOCATE ALL")
        return super().execute(query, params, **kwargs)
