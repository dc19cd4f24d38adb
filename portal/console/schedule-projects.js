// The schedule projects as select options, for the import form and the enrollments page.
import { api } from "./api.js";

// The api() answer, with [code, "code – name"] pairs as its data when ok.
export async function scheduleProjectOptions() {
  const answer = await api("GET", "/schedule-projects?limit=1000");
  if (!answer.ok) return answer;
  return { ...answer, data: answer.data.items.map((project) => [project.code, `${project.code} – ${project.name}`]) };
}
