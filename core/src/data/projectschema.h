// The project file's schema and its migrations (schema_version table).
#pragma once

#include "data/sqlitedb.h"

namespace ft {

// Brings the database to ProjectStore::kSchemaVersion, one migration per version step, each in
// its own transaction. Returns the version found before migrating (0: a new file).
int migrateProject(sql::Db &db);

} // namespace ft
