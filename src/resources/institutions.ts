// Institutions (hospitals, laboratories, offices): /institutions and /institutions/<id>.
import { placeRoutes } from './places.ts';

export default placeRoutes({
  table: 'institutions',
  path: '/institutions',
  listEndpoint: 'institutions',
  itemEndpoint: 'institution',
  label: 'Institution',
});
