// The project file's schema and its migrations (schema_version table).
#pragma once

#include "data/sqlitedb.h"
#include "ft/project.h"

namespace ft {

// Brings the database to `targetVersion` (ProjectStore::kSchemaVersion; tests build files of an
// older version with a lower one), one migration per version step, each in its own transaction.
// Returns the version found before migrating (0: a new file).
int migrateProject(sql::Db &db, int targetVersion = ProjectStore::kSchemaVersion);

} // namespace ft
