// Writing to and closing a stream the renderer opened (see StreamEvent in ../protocol.ts).
export interface StreamMethods {
  /** One message to a stream: terminal input, a resize, an answer to a question. */
  streamSend: { params: { stream: number; message: unknown }; result: null };
  streamClose: { params: { stream: number }; result: null };
}
