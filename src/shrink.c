/* Giving memory back (issue 16 §2). A session that has served traffic
 * keeps what made its busy phase allocation-free: spare stream objects
 * and header-list copies, a stream table and an output queue sized for
 * the peak, the frame reader's reassembly buffer and the HPACK decoder's
 * scratch. Some of it
 * goes back by itself with hysteresis (the reader's buffer after
 * H2W_READER_IDLE_TICKS input calls without a use, the output queue's
 * after H2W_OUTQ_DECAY_DRAINS drains using a quarter of it or less);
 * h2w_session_shrink() releases all of it at once, for a server that
 * parks many idle keep-alive connections. What RFC 7541 §4 obliges us
 * to keep (the contents of both HPACK dynamic tables) stays, in storage
 * fitted to it: the encoder reserves room for a full table before each
 * block, which an idle connection does not need. */
#include "cold.h"
#include "session_int.h"

H2W_COLD int h2w_session_shrink(h2w_session *s) {
  if (s == NULL) {
    return H2W_E_INVALID_ARGUMENT;
  }
  if (s->rs.in_recv || s->depth > 0) {
    /* A frame's payload may live in the reader's buffer, the HPACK
     * scratch in a field being reported, the output queue in a frame
     * being sent: like recv/send/tick, refused inside any callback (the
     * reentrancy contract in h2wire.h). */
    return H2W_E_INVALID_STATE;
  }
  h2w_stream_pool_trim(s);
  h2w_stream_map_compact(&s->map);
  h2w_outq_shrink(&s->ss.q, 0);
  h2w_frame_reader_tick(&s->rs.reader, 1);
  h2w_hpack_decoder_shrink(&s->dec);
  if (!s->dec.in_block) {
    h2w_hpack_table_compact(&s->dec.table, s->dec.alloc);
  }
  h2w_hpack_table_compact(&s->enc.table, s->enc.alloc);
  return H2W_OK;
}
