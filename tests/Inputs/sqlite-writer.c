/* A SQLite writer for tests/files-sqlite.test: a file database in WAL
 * mode, filled by TOTAL transactions of ROWS rows each, that checkpoints
 * itself in the middle of transaction AT (half its rows inserted, not
 * committed). The original then keeps writing for SECONDS more
 * (transactions past TOTAL too, each also deleting the 20 oldest rows) and ends in the middle of one with
 * _exit(), which leaves the database, its -wal and -shm as a crash (or
 * SIGKILL) would, nothing cleaned up; the restored process goes on from the checkpoint to TOTAL,
 * closes the database and prints what it holds.
 *
 * usage: sqlite-writer DB TOTAL AT SECONDS */
#define _GNU_SOURCE
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ckpt.h"
#include "testing.h"

#define ROWS 10

static sqlite3 *db;

static void exec(const char *sql)
{
	char *err = NULL;
	TESTING_ASSERT(sqlite3_exec(db, sql, NULL, NULL, &err) == SQLITE_OK,
		       "%s: %s", sql, err ? err : "?");
}

static int print_row(void *unused, int n, char **values, char **names)
{
	(void)unused;
	for (int i = 0; i < n; i++)
		printf("%s%s=%s", i ? " " : "", names[i], values[i]);
	printf("\n");
	return 0;
}

int main(int argc, char **argv)
{
	testing_start();
	TESTING_ASSERT(argc == 5, "usage: sqlite-writer DB TOTAL AT SECONDS");
	const long total = atol(argv[2]), at = atol(argv[3]);
	const double seconds = atof(argv[4]);
	TESTING_ASSERT(sqlite3_open(argv[1], &db) == SQLITE_OK, "open %s",
		       argv[1]);
	exec("PRAGMA journal_mode=WAL");
	// Copy the WAL into the database every 16 pages (not 1000): so the
	// original's later writes reach the database file itself.
	exec("PRAGMA wal_autocheckpoint=16");
	exec("CREATE TABLE t(id INTEGER PRIMARY KEY, tx INTEGER, "
	     "payload TEXT)");
	sqlite3_stmt *insert;
	TESTING_ASSERT(sqlite3_prepare_v2(db, "INSERT INTO t(tx, payload) "
					  "VALUES(?, hex(randomblob(100)))",
					  -1, &insert, NULL) == SQLITE_OK,
		       "prepare");
	int original = 0;
	double deadline = 0;
	for (long tx = 0; original || tx < total; tx++) {
		exec("BEGIN");
		// What the original does after the checkpoint is not what the
		// restored process will do (it also drops the oldest rows, as
		// a queue would): its pages are not the restored process's.
		if (original)
			exec("DELETE FROM t WHERE id IN "
			     "(SELECT id FROM t ORDER BY id LIMIT 20)");
		for (int r = 0; r < ROWS; r++) {
			sqlite3_bind_int64(insert, 1, tx);
			TESTING_ASSERT(sqlite3_step(insert) == SQLITE_DONE,
				       "insert: %s", sqlite3_errmsg(db));
			sqlite3_reset(insert);
			if (tx == at && r == ROWS / 2) {
				int rc = ckpt_checkpoint(NULL);
				TESTING_ASSERT(rc >= 0, "checkpoint: %d", rc);
				original = rc == 0;
				printf("%s in transaction %ld\n",
				       original ? "checkpointed" : "restored",
				       tx);
				deadline = testing_now() + seconds;
			}
			// Gone as by a crash, with a transaction open.
			if (original && r == ROWS / 2 &&
			    testing_now() > deadline) {
				printf("original: wrote up to transaction "
				       "%s\n", tx > total ? "past the end"
							  : "before the end");
				_exit(0);
			}
		}
		exec("COMMIT");
	}
	sqlite3_finalize(insert);
	TESTING_ASSERT(sqlite3_exec(db, "SELECT count(*) AS rows, "
				    "count(DISTINCT tx) AS transactions FROM t",
				    print_row, NULL, NULL) == SQLITE_OK,
		       "count");
	TESTING_ASSERT(sqlite3_close(db) == SQLITE_OK, "close");
	return 0;
}
