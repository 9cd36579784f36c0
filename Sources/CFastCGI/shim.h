#include <fcgiapp.h>
/* mallopt: guildgate-web sets its memory policy for large buffers at start (FCGIApp MemoryPolicy). */
#include <malloc.h>
