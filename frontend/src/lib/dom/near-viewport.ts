// Lazy loading of images and drawings: tables can hold hundreds of them, and only those near the screen are fetched.

/** Calls `onNear` once `element` comes within `margin` of the viewport, then stops watching; returns the stop function. */
export function whenNearViewport(element: Element, onNear: () => void, margin = '200px'): () => void {
  const observer = new IntersectionObserver(
    (entries) => {
      if (entries.some((entry) => entry.isIntersecting)) {
        observer.disconnect();
        onNear();
      }
    },
    { rootMargin: margin },
  );
  observer.observe(element);
  return () => observer.disconnect();
}
