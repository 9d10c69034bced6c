// The map's outlines (hotspots.outputs.map_encoding.encode_geometry): per ward a list of
// polygons, each a list of rings as Google polyline strings (5 d.p., latitude first).
// The one decoder, used by the dashboard's map component and by the downloaded map file.
// "!" and "$" stand for "{" and "}" where a page template must never see braces (the
// downloaded file); the dashboard sends the strings as they are.
function hotspotsDecodeRing(s) {
  let i = 0, lat = 0, lng = 0;
  const pts = [];
  const code = () => {
    const c = s.charCodeAt(i++);
    return (c === 33 ? 123 : c === 36 ? 125 : c) - 63;
  };
  while (i < s.length) {
    let b, shift = 0, r = 0;
    do { b = code(); r |= (b & 31) << shift; shift += 5; } while (b >= 32);
    lat += (r & 1) ? ~(r >> 1) : (r >> 1);
    shift = 0; r = 0;
    do { b = code(); r |= (b & 31) << shift; shift += 5; } while (b >= 32);
    lng += (r & 1) ? ~(r >> 1) : (r >> 1);
    pts.push([lat / 1e5, lng / 1e5]);
  }
  return pts;
}
