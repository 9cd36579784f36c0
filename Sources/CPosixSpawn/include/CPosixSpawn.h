#ifndef C_POSIX_SPAWN_H
#define C_POSIX_SPAWN_H

#include <spawn.h>

// glibc's extensions of posix_spawn, which Swift's Glibc module leaves out (they need _GNU_SOURCE).

/// posix_spawn_file_actions_addclosefrom_np: the child closes every descriptor from `lowest` up.
int cposixspawn_file_actions_addclosefrom(posix_spawn_file_actions_t *actions, int lowest);

/// posix_spawn_file_actions_addchdir_np: the child changes to `path` (after the actions added before).
int cposixspawn_file_actions_addchdir(posix_spawn_file_actions_t *actions, const char *path);

/// POSIX_SPAWN_SETSID: the child starts a session (and process group) of its own.
extern const short cposixspawn_setsid;

#endif
